import * as pulumi from "@pulumi/pulumi";

/**
 * The SDK and its mock monitor pass every registration through protobuf Structs twice: the
 * SDK packs the inputs into one that the monitor unpacks straight away, and the monitor
 * packs the new state into one that the SDK unpacks. Each round trip is two deep
 * conversions that only sort each object's keys. The offline plan does the same sorting
 * without building the Structs, and leaves everything else to the SDK's monitor.
 */

/** What the SDK reads from a registration's answer (pulumi/runtime/resource.js). */
interface RegisterAnswer {
    getUrn(): string;
    getId(): string;
    getObject(): { toJavaScript(): unknown };
    getPropertydependenciesMap(): undefined;
    getResult(): number;
}

/** The request getters the mock monitor reads. */
interface RegisterRequest {
    getType(): string;
    getName(): string;
    getParent(): string;
    getObject(): Parameters<typeof pulumi.runtime.deserializeProperties>[0];
    getProvider(): string;
    getCustom(): boolean;
    getImportid(): string;
}

interface MonitorInternals {
    mocks: pulumi.runtime.Mocks;
    resources: Map<string, { urn: string; id: string | null; state: unknown }>;
    registerResource(req: RegisterRequest, callback: (err: unknown, answer: RegisterAnswer | undefined) => void): Promise<void>;
}

/**
 * A value as it comes out of `Struct.fromJavaScript(v).toJavaScript()`: the same values,
 * every object's keys in sorted order, and the same error for what a Struct cannot hold.
 */
export function structRoundTrip(value: unknown): unknown {
    if (value === null || typeof value === "number" || typeof value === "string" || typeof value === "boolean") return value;
    if (Array.isArray(value)) return value.map(structRoundTrip);
    if (typeof value === "object") {
        const source = value as Record<string, unknown>;
        const keys: string[] = [];
        for (const key in source) keys.push(key);
        keys.sort();
        const out: Record<string, unknown> = {};
        for (const key of keys)
            Object.defineProperty(out, key, { value: structRoundTrip(source[key]), enumerable: true, writable: true, configurable: true });
        return out;
    }
    throw new Error("Unexpected struct type.");
}

/** URNs as the SDK's mock monitor forms them (its `newUrn`). */
function mockUrn(parent: string, type: string, name: string): string {
    let qualified = type;
    if (parent) qualified = `${parent.split("::")[2].split("$").pop()}$${type}`;
    return `urn:pulumi:${[pulumi.runtime.getStack(), pulumi.runtime.getProject(), qualified, name].join("::")}`;
}

/** Makes the active mock monitor answer registrations without the protobuf round trip. */
export function answerWithoutStructs(): void {
    const monitor = pulumi.runtime.getMonitor() as unknown as MonitorInternals | undefined;
    if (monitor === undefined || typeof monitor.registerResource !== "function" || !(monitor.resources instanceof Map))
        throw new Error("the mock monitor is not set up: call pulumi.runtime.setMocks first");
    monitor.registerResource = async (req, callback) => {
        try {
            const result = await monitor.mocks.newResource({
                type: req.getType(),
                name: req.getName(),
                inputs: pulumi.runtime.deserializeProperties(req.getObject()),
                provider: req.getProvider(),
                custom: req.getCustom(),
                id: req.getImportid(),
            });
            const urn = mockUrn(req.getParent(), req.getType(), req.getName());
            const serializedState: unknown = await pulumi.runtime.serializeProperties("", result.state);
            monitor.resources.set(urn, { urn, id: result.id ?? null, state: serializedState });
            const id = result.id || "";
            const object = structRoundTrip(serializedState);
            callback(null, {
                getUrn: () => urn,
                getId: () => id,
                getObject: () => ({ toJavaScript: () => object }),
                getPropertydependenciesMap: () => undefined,
                getResult: () => 0,
            });
        } catch (err) {
            callback(err, undefined);
        }
    };
}
