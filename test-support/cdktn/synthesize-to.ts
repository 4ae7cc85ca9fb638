/**
 * Synthesizes the app of the project it runs in into a folder, with the
 * settings given as JSON: `tsx test-support/cdktn/synthesize-to.ts <outdir>
 * '<settings>'`. Run in this project and in a copy whose `cdktf` is CDK
 * Terrain, it shows whether both write the same Terraform JSON.
 */
import { synthesizeApp } from "../../lib/app";
import { parseConfig } from "../../lib/config/config";
import { PROJECT_ROOT } from "../../lib/project-root";

const [outdir, settings = "{}"] = process.argv.slice(2);
const env = JSON.parse(settings) as Record<string, string>;
synthesizeApp(parseConfig(env), PROJECT_ROOT, outdir, env);
