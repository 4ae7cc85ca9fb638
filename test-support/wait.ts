/**
 * Polls `condition` every `intervalMs` until it holds; throws, naming `what`,
 * once `seconds` have passed. The tests' one way to wait for something the
 * system does by itself, so no wait can hang a suite.
 */
export async function waitUntil(
  condition: () => boolean,
  what: string,
  seconds: number,
  intervalMs = 200,
): Promise<void> {
  const deadline = Date.now() + seconds * 1000;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error(`waited ${seconds} s for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, intervalMs));
  }
}
