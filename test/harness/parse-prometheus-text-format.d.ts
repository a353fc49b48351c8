/** The package ships no types; test/harness/prometheus.ts checks its output with zod. */
declare module 'parse-prometheus-text-format' {
  export default function parsePrometheusTextFormat(text: string): unknown;
}
