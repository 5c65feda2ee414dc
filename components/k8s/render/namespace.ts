import type * as k8s from "@pulumi/kubernetes";
import type { ServingContext } from "./context";
import { commonLabels } from "./names";

/** The fleet's namespace, held to the `restricted` Pod Security Standard (enforced, audited, warned). */
export function renderNamespace(ctx: ServingContext): k8s.types.input.core.v1.Namespace {
    return {
        apiVersion: "v1",
        kind: "Namespace",
        metadata: {
            name: ctx.namespace,
            labels: {
                ...commonLabels(ctx.regionName),
                "app.kubernetes.io/name": "modelfleet-serving",
                "pod-security.kubernetes.io/enforce": "restricted",
                "pod-security.kubernetes.io/enforce-version": "latest",
                "pod-security.kubernetes.io/audit": "restricted",
                "pod-security.kubernetes.io/warn": "restricted",
            },
        },
    };
}
