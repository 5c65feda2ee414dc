import type * as k8s from "@pulumi/kubernetes";
import type { ModelSettings } from "../../../config";
import type { ServingContext } from "./context";
import { commonLabels, gatewaySelector, names, portNames, torchserveAnyTrackSelector, TRACK_LABEL, TRACKS } from "./names";
import { QUEUE_LATENCY_RECORD, queueLatencyExpr } from "./metricsAdapter";
import { sloRecordingRules, sloSeries, TRACK_SERIES_LABEL, type RecordingRule } from "./slo";
import { METRICS_LABEL, type CustomObject } from "./traffic";

/**
 * Scrape targets, alert rules and the dashboard. Metric names are TorchServe's Prometheus
 * metrics (metrics_mode=prometheus: ts_inference_requests_total, ts_queue_latency_microseconds,
 * Requests2XX/4XX/5XX, PredictionTime, GPUUtilization), TensorZero's (tensorzero_requests_total)
 * and kube-state-metrics' (kube_deployment_*, kube_pod_container_status_restarts_total).
 * Targets and rules are written in the CRDs the cluster's Prometheus reads: the Prometheus
 * Operator's (ServiceMonitor, PrometheusRule) or GKE Managed Prometheus' (PodMonitoring, Rules).
 */

/**
 * Prometheus `job` labels: the Service names the ServiceMonitors select, and the names of the
 * PodMonitorings (GKE sets `job` to the PodMonitoring's name), so one set of rules fits both.
 */
export const jobs = { torchserve: names.torchserveMetrics, gateway: names.gateway } as const;
export const SCRAPE_INTERVAL = "30s";
export const SCRAPE_TIMEOUT = "10s";
/** How often GKE's rule evaluator runs the alert rules (its default, stated so the object says it). */
export const RULE_INTERVAL = "1m";
/** The track label as a Prometheus label name: how the operator sanitizes podTargetLabels, and what PodMonitorings map it to. */
export const TRACK_TARGET_LABEL = TRACK_LABEL.replace(/[^A-Za-z0-9_]/g, "_");
/** The fraction of a model's response timeout its p95 latency may reach before alerting. */
export const LATENCY_ALERT_FRACTION = 0.8;
/** Mean queue wait (ms) that alerts, unless the model's batch delay allows for more. */
export const QUEUE_ALERT_MIN_MS = 1000;

function serviceMonitor(ctx: ServingContext, name: string, selectorValue: string, port: string): CustomObject {
    return {
        apiVersion: "monitoring.coreos.com/v1",
        kind: "ServiceMonitor",
        metadata: { name, namespace: ctx.namespace, labels: { ...commonLabels(ctx.regionName), ...ctx.monitoring.labels } },
        spec: {
            selector: { matchLabels: { [METRICS_LABEL]: selectorValue } },
            namespaceSelector: { matchNames: [ctx.namespace] },
            // Carries the blue/green track onto every series, so tracks compare side by side.
            podTargetLabels: [TRACK_LABEL],
            endpoints: [{ port, path: "/metrics", interval: SCRAPE_INTERVAL, scrapeTimeout: SCRAPE_TIMEOUT }],
        },
    };
}

export function renderServiceMonitors(ctx: ServingContext): Record<string, CustomObject> {
    return {
        torchserve: serviceMonitor(ctx, "torchserve", "torchserve", portNames.metrics),
        [names.gateway]: serviceMonitor(ctx, names.gateway, "gateway", portNames.http),
    };
}

function podMonitoring(ctx: ServingContext, job: string, selector: Record<string, string>, port: string): CustomObject {
    return {
        apiVersion: "monitoring.googleapis.com/v1",
        kind: "PodMonitoring",
        metadata: { name: job, namespace: ctx.namespace, labels: { ...commonLabels(ctx.regionName), ...ctx.monitoring.labels } },
        spec: {
            selector: { matchLabels: selector },
            endpoints: [{ port, path: "/metrics", interval: SCRAPE_INTERVAL, timeout: SCRAPE_TIMEOUT }],
            // The same track label the operator's podTargetLabels give, so dashboards work on both.
            targetLabels: { fromPod: [{ from: TRACK_LABEL, to: TRACK_TARGET_LABEL }] },
        },
    };
}

/** GKE Managed Prometheus scrapes pods, not Services: one PodMonitoring per job, over the same pods. */
export function renderPodMonitorings(ctx: ServingContext): Record<string, CustomObject> {
    return {
        [jobs.torchserve]: podMonitoring(ctx, jobs.torchserve, torchserveAnyTrackSelector(), portNames.metrics),
        [jobs.gateway]: podMonitoring(ctx, jobs.gateway, gatewaySelector(), portNames.http),
    };
}

export function queueAlertThresholdMs(model: Pick<ModelSettings, "maxBatchDelayMs">): number {
    return Math.max(QUEUE_ALERT_MIN_MS, 10 * model.maxBatchDelayMs);
}

export function latencyAlertThresholdMs(model: Pick<ModelSettings, "responseTimeoutSeconds">): number {
    return Math.round(model.responseTimeoutSeconds * 1000 * LATENCY_ALERT_FRACTION);
}

interface Rule {
    alert: string;
    expr: string;
    for: string;
    labels: Record<string, string>;
    annotations: { summary: string; description: string };
}

/**
 * Per track, against `serving.slo`: the 5xx rate and the p95 latency. Critical for a track
 * that takes traffic (roll back: docs/runbooks/blue-green.md), a warning for one at 0%.
 */
export function sloAlertRules(ctx: ServingContext): Rule[] {
    const slo = ctx.serving.slo;
    return TRACKS.flatMap((track) => {
        const labels = {
            severity: ctx.weights[track] > 0 ? "critical" : "warning",
            region: ctx.regionName,
            track,
        };
        const series = (name: string) => `${name}{namespace="${ctx.namespace}",${TRACK_SERIES_LABEL}="${track}"}`;
        return [
            {
                alert: "ModelfleetTrackErrorRateAboveSlo",
                expr: `${series(sloSeries.errorRatePercent)} > ${slo.errorRatePercent}`,
                for: "5m",
                labels,
                annotations: {
                    summary: `Track ${track} answers more than ${slo.errorRatePercent}% 5xx in ${ctx.regionName}`,
                    description: `Track ${track} takes ${ctx.weights[track]}% of requests; run npm run debug -- --stack <stack> --rollout and roll back if it says so.`,
                },
            },
            {
                alert: "ModelfleetTrackLatencyP95AboveSlo",
                expr: `${series(sloSeries.p95LatencyMs)} > ${slo.p95LatencyMs}`,
                for: "10m",
                labels,
                annotations: {
                    summary: `p95 latency of track ${track} is above ${slo.p95LatencyMs} ms in ${ctx.regionName}`,
                    description: `Track ${track} takes ${ctx.weights[track]}% of requests; run npm run debug -- --stack <stack> --rollout and roll back if it says so.`,
                },
            },
        ];
    });
}

/** Recording rules: the per-track SLO figures, and on GKE the per-pod queue wait the HPAs read. */
export function recordingRules(ctx: ServingContext): RecordingRule[] {
    const queue: RecordingRule[] =
        ctx.monitoring.kind === "gke-managed-prometheus"
            ? [{ record: QUEUE_LATENCY_RECORD, expr: queueLatencyExpr(`namespace="${ctx.namespace}"`, "namespace, pod, model_name") }]
            : [];
    return [...sloRecordingRules(ctx.namespace), ...queue];
}

export function alertRules(ctx: ServingContext): Rule[] {
    const ns = `namespace="${ctx.namespace}"`;
    const rule = (
        alert: string,
        expr: string,
        forDuration: string,
        severity: "critical" | "warning",
        summary: string,
        description: string,
    ): Rule => ({
        alert,
        expr,
        for: forDuration,
        labels: { severity, region: ctx.regionName },
        annotations: { summary, description },
    });
    const active = `torchserve-${ctx.activeTrack}`;
    return [
        rule(
            "ModelfleetTorchServeDown",
            `absent(up{${ns},job="${jobs.torchserve}"} == 1)`,
            "5m",
            "critical",
            `No TorchServe pod is up in ${ctx.regionName}`,
            "Prometheus scrapes no healthy TorchServe metrics endpoint in the serving namespace.",
        ),
        rule(
            "ModelfleetGatewayDown",
            `absent(up{${ns},job="${jobs.gateway}"} == 1)`,
            "5m",
            "critical",
            `No TensorZero gateway pod is up in ${ctx.regionName}`,
            "Prometheus scrapes no healthy gateway in the serving namespace.",
        ),
        rule(
            "ModelfleetActiveTrackUnavailable",
            `kube_deployment_status_replicas_available{${ns},deployment="${active}"} < 1`,
            "5m",
            "critical",
            `The active track ${active} has no available pods in ${ctx.regionName}`,
            "The stable Service selects a track with no ready pods; switch serving.activeColor back or fix the track.",
        ),
        rule(
            "ModelfleetTorchServeErrorRatio",
            `sum(rate(Requests5XX{${ns}}[5m])) / sum(rate({__name__=~"Requests[245]XX",${ns}}[5m])) > 0.05`,
            "10m",
            "warning",
            `More than 5% of TorchServe responses are 5xx in ${ctx.regionName}`,
            "TorchServe answers with server errors; check worker logs and GPU memory.",
        ),
        ...ctx.models.flatMap((m) => [
            rule(
                "ModelfleetModelLatencyP95High",
                `max(quantile_over_time(0.95, PredictionTime{${ns},ModelName="${m.name}"}[10m])) > ${latencyAlertThresholdMs(m)}`,
                "10m",
                "warning",
                `p95 prediction time of ${m.name} is above ${latencyAlertThresholdMs(m)} ms in ${ctx.regionName}`,
                `p95 of the sampled PredictionTime is above ${LATENCY_ALERT_FRACTION * 100}% of the model's ${m.responseTimeoutSeconds} s response timeout.`,
            ),
            rule(
                "ModelfleetModelQueueLatencyHigh",
                `sum(rate(ts_queue_latency_microseconds{${ns},model_name="${m.name}"}[5m])) / sum(rate(ts_inference_requests_total{${ns},model_name="${m.name}"}[5m])) / 1000 > ${queueAlertThresholdMs(m)}`,
                "10m",
                "warning",
                `Requests for ${m.name} wait more than ${queueAlertThresholdMs(m)} ms in the queue in ${ctx.regionName}`,
                "Workers cannot keep up: raise maxWorkers or replicas, or check that the HPA can add GPU nodes.",
            ),
        ]),
        rule(
            "ModelfleetPodRestarting",
            `increase(kube_pod_container_status_restarts_total{${ns}}[30m]) > 2`,
            "0m",
            "warning",
            `A serving container restarted more than twice in 30 minutes in ${ctx.regionName}`,
            "Check the container's last state (OOMKilled, failing liveness probe).",
        ),
        rule(
            "ModelfleetAtMaxReplicas",
            `kube_horizontalpodautoscaler_status_current_replicas{${ns}} >= kube_horizontalpodautoscaler_spec_max_replicas{${ns}}`,
            "30m",
            "warning",
            `A serving Deployment has been at its maximum replicas for 30 minutes in ${ctx.regionName}`,
            "Raise serving.*.replicas.max (and the GPU pool's maxNodes) or reduce load.",
        ),
    ];
}

export function renderPrometheusRule(ctx: ServingContext): CustomObject {
    return {
        apiVersion: "monitoring.coreos.com/v1",
        kind: "PrometheusRule",
        metadata: {
            name: names.prometheusRule,
            namespace: ctx.namespace,
            labels: { ...commonLabels(ctx.regionName), ...ctx.monitoring.labels },
        },
        spec: {
            groups: [
                { name: "modelfleet-serving", rules: alertRules(ctx) },
                { name: "modelfleet-records", rules: recordingRules(ctx) },
                { name: "modelfleet-slo", rules: sloAlertRules(ctx) },
            ],
        },
    };
}

/** The alert rules as GKE Managed Prometheus' namespaced Rules: queries stay within the namespace. */
export function renderRules(ctx: ServingContext): CustomObject {
    return {
        apiVersion: "monitoring.googleapis.com/v1",
        kind: "Rules",
        metadata: {
            name: names.prometheusRule,
            namespace: ctx.namespace,
            labels: { ...commonLabels(ctx.regionName), ...ctx.monitoring.labels },
        },
        spec: {
            groups: [
                { name: "modelfleet-serving", interval: RULE_INTERVAL, rules: alertRules(ctx) },
                { name: "modelfleet-records", interval: RULE_INTERVAL, rules: recordingRules(ctx) },
                { name: "modelfleet-slo", interval: RULE_INTERVAL, rules: sloAlertRules(ctx) },
            ],
        },
    };
}

/**
 * Scrape targets and alert rules in the CRDs the cluster's Prometheus reads, keyed by the
 * role that names their Pulumi resource.
 */
export function renderMonitoringObjects(ctx: ServingContext): Record<string, CustomObject> {
    const prefixed = (prefix: string, objects: Record<string, CustomObject>) =>
        Object.fromEntries(Object.entries(objects).map(([key, object]) => [`${prefix}-${key}`, object]));
    switch (ctx.monitoring.kind) {
        case "gke-managed-prometheus":
            return { ...prefixed("podmonitoring", renderPodMonitorings(ctx)), rules: renderRules(ctx) };
        case "prometheus-operator":
            return { ...prefixed("servicemonitor", renderServiceMonitors(ctx)), "prometheus-rule": renderPrometheusRule(ctx) };
    }
}

interface PanelSpec {
    title: string;
    unit: string;
    targets: Array<{ expr: string; legendFormat: string }>;
}

/** The fleet dashboard of this cluster: traffic, latency, errors, GPUs, tracks and the gateway. */
export function dashboardJson(ctx: ServingContext): Record<string, unknown> {
    const ns = 'namespace="$namespace"';
    const panels: PanelSpec[] = [
        {
            title: "Inference requests/s by model",
            unit: "reqps",
            targets: [{ expr: `sum by (model_name) (rate(ts_inference_requests_total{${ns}}[5m]))`, legendFormat: "{{model_name}}" }],
        },
        {
            title: "Mean inference latency by model",
            unit: "ms",
            targets: [
                {
                    expr: `sum by (model_name) (rate(ts_inference_latency_microseconds{${ns}}[5m])) / sum by (model_name) (rate(ts_inference_requests_total{${ns}}[5m])) / 1000`,
                    legendFormat: "{{model_name}}",
                },
            ],
        },
        {
            title: "p95 prediction time by model",
            unit: "ms",
            targets: [{ expr: `max by (ModelName) (quantile_over_time(0.95, PredictionTime{${ns}}[10m]))`, legendFormat: "{{ModelName}}" }],
        },
        {
            title: "Mean queue latency by model",
            unit: "ms",
            targets: [
                {
                    expr: `sum by (model_name) (rate(ts_queue_latency_microseconds{${ns}}[5m])) / sum by (model_name) (rate(ts_inference_requests_total{${ns}}[5m])) / 1000`,
                    legendFormat: "{{model_name}}",
                },
            ],
        },
        {
            title: "TorchServe 5xx ratio",
            unit: "percentunit",
            targets: [
                { expr: `sum(rate(Requests5XX{${ns}}[5m])) / sum(rate({__name__=~"Requests[245]XX",${ns}}[5m]))`, legendFormat: "5xx" },
            ],
        },
        {
            title: "GPU utilization by pod",
            unit: "percent",
            targets: [{ expr: `avg by (pod) (GPUUtilization{${ns}})`, legendFormat: "{{pod}}" }],
        },
        {
            title: "Available pods by Deployment (blue, green, gateway)",
            unit: "short",
            targets: [{ expr: `sum by (deployment) (kube_deployment_status_replicas_available{${ns}})`, legendFormat: "{{deployment}}" }],
        },
        {
            title: "Gateway requests/s",
            unit: "reqps",
            targets: [
                {
                    expr: `sum by (endpoint, model_name) (rate(tensorzero_requests_total{${ns}}[5m]))`,
                    legendFormat: "{{endpoint}} {{model_name}}",
                },
            ],
        },
    ];
    return {
        uid: `modelfleet-serving-${ctx.regionName}`.slice(0, 40),
        title: `modelfleet serving (${ctx.regionName})`,
        tags: ["modelfleet", "serving"],
        timezone: "browser",
        schemaVersion: 39,
        version: 1,
        refresh: "30s",
        time: { from: "now-6h", to: "now" },
        templating: {
            list: [
                { name: "datasource", label: "Prometheus", type: "datasource", query: "prometheus" },
                { name: "namespace", label: "Namespace", type: "constant", query: ctx.namespace, hide: 2 },
            ],
        },
        panels: panels.map((p, i) => ({
            id: i + 1,
            type: "timeseries",
            title: p.title,
            gridPos: { h: 8, w: 12, x: (i % 2) * 12, y: Math.floor(i / 2) * 8 },
            datasource: { type: "prometheus", uid: "${datasource}" },
            fieldConfig: { defaults: { unit: p.unit }, overrides: [] },
            targets: p.targets.map((t, j) => ({ refId: String.fromCharCode(65 + j), expr: t.expr, legendFormat: t.legendFormat })),
        })),
    };
}

/** The dashboard as a ConfigMap Grafana's sidecar loads (label grafana_dashboard: "1"). */
export function renderDashboardConfigMap(ctx: ServingContext): k8s.types.input.core.v1.ConfigMap {
    return {
        apiVersion: "v1",
        kind: "ConfigMap",
        metadata: { name: names.dashboard, namespace: ctx.namespace, labels: { ...commonLabels(ctx.regionName), grafana_dashboard: "1" } },
        data: { "modelfleet-serving.json": JSON.stringify(dashboardJson(ctx), null, 2) },
    };
}
