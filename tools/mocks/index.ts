import type * as pulumi from "@pulumi/pulumi";
import { awsCalls, awsResourceHandler } from "./aws";
import { gcpCalls, gcpResources } from "./gcp";
import { k8sResources } from "./k8s";
import { randomResources } from "./random";
import { CallHandler, digest, NewResourceHandler, State } from "./values";

/** What a mock saw for one registered resource. */
export interface MockedResource {
    type: string;
    name: string;
    custom: boolean;
    /** Inputs as the program passed them (secrets still wrapped). */
    inputs: State;
    provider?: string;
    id?: string;
}

const resourceHandlers: Record<string, NewResourceHandler> = {
    ...gcpResources,
    ...k8sResources,
    ...randomResources,
};
const callHandlers: Record<string, CallHandler> = { ...awsCalls, ...gcpCalls };

/**
 * The mocks both the offline plan and the tests run the program under. Each resource
 * type's outputs come from a handler in the per-provider module; types without one echo
 * their inputs with a stable id. Unknown function calls throw, so a new data source is
 * never silently answered with nothing.
 */
export class FleetMocks implements pulumi.runtime.Mocks {
    readonly resources: MockedResource[] = [];

    newResource(args: pulumi.runtime.MockResourceArgs): { id: string | undefined; state: State } {
        const inputs = (args.inputs ?? {}) as State;
        this.resources.push({
            type: args.type,
            name: args.name,
            custom: args.custom ?? true,
            inputs,
            provider: args.provider,
            id: args.id,
        });
        if (args.custom === false) return { id: undefined, state: {} };
        // The SDK passes "" (not undefined) for a resource that is not imported; an empty id
        // would leave `.id` unknown, and invokes that depend on the resource would never resolve.
        // New resources arrive with id "" (unknown to the SDK); only imports and reads carry a real one.
        const id = args.id || `${args.name}-${digest(args.type, args.name).slice(0, 8)}`;
        const handler = resourceHandlers[args.type] ?? awsResourceHandler(args.type);
        const computed = handler ? handler(args.name, unwrapSecrets(inputs) as State, id, args.type) : {};
        return { id, state: { ...inputs, ...computed } };
    }

    call(args: pulumi.runtime.MockCallArgs): State {
        const handler = callHandlers[args.token];
        if (!handler) {
            throw new Error(`no mock for function ${args.token}: add one to tools/mocks/ beside its provider`);
        }
        return handler(unwrapSecrets(args.inputs ?? {}) as State);
    }

    /** Resources of one type, in registration order. */
    ofType(type: string): MockedResource[] {
        return this.resources.filter((r) => r.type === type);
    }
}

const SIG_KEY = "4dabf18193072939515e22adb298388d";
const SECRET_SIG = "1b47061264138c4ac30d75fd1eb44270";

/** True for the SDK's wire form of a secret value. */
export function isWrappedSecret(value: unknown): value is { value: unknown } {
    return typeof value === "object" && value !== null && (value as Record<string, unknown>)[SIG_KEY] === SECRET_SIG;
}

/** The plain value with every secret wrapper removed (handlers compute from real values). */
export function unwrapSecrets(value: unknown): unknown {
    if (isWrappedSecret(value)) return unwrapSecrets(value.value);
    if (Array.isArray(value)) return value.map(unwrapSecrets);
    if (typeof value === "object" && value !== null) {
        return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, unwrapSecrets(v)]));
    }
    return value;
}
