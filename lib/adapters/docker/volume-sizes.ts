import { dockerAsync } from "./docker-cli";

/** Sizes of the Docker volumes, by name, in bytes, as `docker system df -v` reports them (it counts their files). */
export async function volumeSizes(): Promise<Map<string, number>> {
  const volumes = JSON.parse(
    (await dockerAsync(["system", "df", "-v", "--format", "{{json .Volumes}}"], { deadlineSeconds: 120 })) || "[]",
  ) as { Name: string; Size: string }[];
  return new Map(volumes.map((v) => [v.Name, parseSize(v.Size)]));
}

const UNITS: Readonly<Record<string, number>> = { B: 1, KB: 1e3, MB: 1e6, GB: 1e9, TB: 1e12, kB: 1e3 };

/** Docker's human sizes ("184.2MB", "0B", "1.5kB") in bytes. */
export function parseSize(text: string): number {
  const match = /^([\d.]+)\s*([kKMGT]?B)$/.exec(text.trim());
  return match ? Math.round(Number(match[1]) * (UNITS[match[2]] ?? UNITS[match[2].toUpperCase()] ?? 1)) : Number.NaN;
}
