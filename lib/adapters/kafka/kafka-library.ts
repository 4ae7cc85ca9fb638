/**
 * @platformatic/kafka, loaded when a command first talks to Kafka. Loading it
 * takes about 0.6 s of CPU (it builds its request validators as it loads), so
 * a command that never reaches Kafka (stop, reset, a bad option) does not pay
 * for it, and deploy pays while Terraform works rather than before it starts.
 */
export type KafkaLibrary = typeof import("@platformatic/kafka");

let loading: Promise<KafkaLibrary> | undefined;

export function kafkaLibrary(): Promise<KafkaLibrary> {
  loading ??= import("@platformatic/kafka");
  return loading;
}
