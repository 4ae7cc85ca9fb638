import { fileURLToPath } from "node:url";

/** The project folder: where cql/, state/ and cdktf.out/ live, and commands run. */
export const PROJECT_ROOT = fileURLToPath(new URL("..", import.meta.url));
