/**
 * Progress of a save or restore: one line per topic or table every few
 * seconds while it runs, and one when it is done. Lines, not a redrawn
 * screen: Kafka and Cassandra run side by side, and logs read them the same.
 */

/** How often a running item reports. */
const EVERY_MS = 5000;

export class Progress {
  private readonly started = Date.now();
  private readonly said = new Map<string, number>();

  constructor(
    private readonly command: string,
    private readonly say: (line: string) => void,
  ) {}

  /** `count` of `total` `unit` done on `item`; printed at most every few seconds. */
  update(item: string, count: number, total: number | undefined, unit: string): void {
    const last = this.said.get(item) ?? this.started;
    if (Date.now() - last < EVERY_MS) return;
    this.said.set(item, Date.now());
    this.say(
      `${this.command}: ${item}  ${count.toLocaleString("en")}${total === undefined ? "" : ` of ${total.toLocaleString("en")}`} ${unit}`,
    );
  }

  done(item: string, text: string): void {
    this.say(`${this.command}: ${item}  ${text}`);
  }

  line(text: string): void {
    this.say(`${this.command}: ${text}`);
  }

  get seconds(): number {
    return (Date.now() - this.started) / 1000;
  }
}
