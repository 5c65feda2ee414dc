/** Types of parse-prometheus-text-format 1.1.1 (it ships none): prom2json's output shape. */
declare module "parse-prometheus-text-format" {
    interface Sample {
        labels?: Record<string, string>;
        value?: string;
        buckets?: Record<string, string>;
        quantiles?: Record<string, string>;
        count?: string;
        sum?: string;
    }
    interface MetricFamily {
        name: string;
        help: string;
        type: "COUNTER" | "GAUGE" | "SUMMARY" | "HISTOGRAM" | "UNTYPED";
        metrics: Sample[];
    }
    export default function parsePrometheusTextFormat(text: string): MetricFamily[];
}
