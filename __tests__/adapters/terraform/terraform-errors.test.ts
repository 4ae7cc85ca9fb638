import { describe, expect, it } from "vitest";
import { terraformErrors } from "../../../lib/adapters/terraform/terraform";

describe("Terraform's errors, one line each", () => {
  it("reads plain (-no-color) output", () => {
    const output = [
      "",
      "Error: Extraneous JSON object property",
      "",
      "  on cdk.tf.json line 105, in resource.docker_container.kafka:",
      ' 105:         "restart_policy_typo": "always"',
      "",
      'No argument or block type is named "restart_policy_typo".',
      "",
    ].join("\n");
    expect(terraformErrors(output)).toEqual([
      'Error: Extraneous JSON object property on cdk.tf.json line 105, in resource.docker_container.kafka: 105: "restart_policy_typo": "always" No argument or block type is named "restart_policy_typo".',
    ]);
  });

  it("reads boxed diagnostics, several of them, and ignores what lies between", () => {
    const output = [
      "Initializing the backend...",
      "╷",
      "│ Error: Failed to query available provider packages",
      "│ ",
      "│ Could not retrieve the list of available versions.",
      "╵",
      "some other line",
      "╷",
      "│ Error: second",
      "╵",
    ].join("\n");
    expect(terraformErrors(output)).toEqual([
      "Error: Failed to query available provider packages Could not retrieve the list of available versions.",
      "Error: second",
    ]);
  });
});
