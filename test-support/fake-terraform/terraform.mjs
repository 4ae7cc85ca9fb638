#!/usr/bin/env node
/**
 * A stand-in for the terraform binary, for testing the stack runner on its
 * own (TERRAFORM_BINARY_NAME points here). It records each call as a JSON
 * line in $FAKE_TF_LOG ({ stack, args, at }) and plays back what
 * $FAKE_TF_SCRIPT (a JSON file) says for "<stack> <command>": { exit,
 * stdout, sleepMs }. Unscripted calls succeed at once, printing nothing.
 * On SIGINT it records { stack, signal: "SIGINT" } and exits 1, as Terraform
 * does after saving its state.
 */
import { appendFileSync, mkdirSync, readFileSync } from "node:fs";
import { basename } from "node:path";

const stack = basename(process.cwd());
const args = process.argv.slice(2).filter((a) => a !== "-no-color");
const log = (entry) =>
  appendFileSync(process.env.FAKE_TF_LOG, `${JSON.stringify({ stack, ...entry, at: Date.now() })}\n`);
const script = process.env.FAKE_TF_SCRIPT ? JSON.parse(readFileSync(process.env.FAKE_TF_SCRIPT, "utf8")) : {};
const play = script[`${stack} ${args[0]}`] ?? {};

log({ args });
if (args[0] === "init") mkdirSync(".terraform", { recursive: true });
process.on("SIGINT", () => {
  log({ signal: "SIGINT" });
  setTimeout(() => process.exit(1), 100);
});
if (play.stdout) process.stdout.write(play.stdout);
setTimeout(() => {
  log({ done: args[0] });
  process.exit(play.exit ?? 0);
}, play.sleepMs ?? 0);
