/** A container of the stack as `npm run logs` names it: zookeeper, kafka, kafka-2, kafka-3, cassandra. */
export type Service = string;

/** `docker logs --timestamps` starts each line with an RFC 3339 time and a space. */
const TIMESTAMPED = /^(\d{4}-\d\d-\d\dT[\d:.]+Z) (.*)$/;

export interface LogLine {
  readonly service: Service;
  /** RFC 3339 with nanoseconds, from Docker; sorts as text. */
  readonly time: string;
  readonly text: string;
}

/** Splits a `docker logs --timestamps` line; a line without a time keeps the previous one's. */
export function parseLogLine(service: Service, line: string, previousTime = ""): LogLine {
  const match = TIMESTAMPED.exec(line);
  return match ? { service, time: match[1], text: match[2] } : { service, time: previousTime, text: line };
}

/** `kafka     | message`, the service names padded to one width. */
export function formatLogLine(line: LogLine, width: number): string {
  return `${line.service.padEnd(width)} | ${line.text}`;
}
