import * as pulumi from "@pulumi/pulumi";
import * as path from "path";
import { structRoundTrip } from "./monitor";

/**
 * Work the SDK does for every resource that an offline run never reads. Each shortcut
 * returns the function that puts the SDK's own behaviour back; the plan is the same
 * with or without them (test/plan-shortcuts.test.ts).
 */

/** What the SDK calls once a registration answers: the value, whether known and secret, its dependencies, or the error. */
type Resolver = (...settled: unknown[]) => void;
type TransferProperties = (onto: Record<string, unknown>, label: string, props: Record<string, unknown>) => Record<string, Resolver>;

/** The folder of the SDK the program loads; its own modules and dependencies resolve from there. */
function sdkDir(): string {
    return path.dirname(require.resolve("@pulumi/pulumi/package.json"));
}

/** The SDK's own runtime/rpc module, where the constructor of every custom resource looks up `transferProperties`. */
function sdkRpcModule(): { transferProperties: TransferProperties } {
    return require(path.join(sdkDir(), "runtime", "rpc")) as { transferProperties: TransferProperties };
}

/**
 * A custom resource gets an Output for each of its type's properties when it is built
 * (`transferProperties`): four pending promises, each wrapped for leak tracking, and the
 * Output's own derived promises, dozens of objects per property. A program reads a few
 * of them; the rest wait, unread, until the registration resolves them. Here each property
 * is an accessor that builds the SDK's Output the first time it is read or written, and
 * hands it what the registration gave if that already came. A property never read costs
 * nothing. The property stays an own, enumerable property of the resource; once built, it
 * moves to the end of the resource's own keys. An Output first read after its registration
 * answered settles a few microtask turns later than the SDK's own would, so `apply`
 * callbacks on it may run in another order; a program that creates resources inside such
 * callbacks could register them in another order, which the comparison test would show.
 */
export function outputsOnFirstRead(): () => void {
    const rpc = sdkRpcModule();
    const original = rpc.transferProperties;
    rpc.transferProperties = (onto, label, props) => {
        const resolvers: Record<string, Resolver> = {};
        for (const key of Object.keys(props)) {
            // The SDK builds id and urn itself.
            if (key === "id" || key === "urn") continue;
            if (Object.prototype.hasOwnProperty.call(onto, key))
                throw new Error(`Property '${key}' is already initialized on target '${label}`);
            let resolve: Resolver | undefined;
            let settled: unknown[] | undefined;
            const build = (): void => {
                delete onto[key];
                resolve = original(onto, label, { [key]: props[key] })[key];
                if (settled) resolve(...settled);
            };
            Object.defineProperty(onto, key, {
                configurable: true,
                enumerable: true,
                get: () => {
                    build();
                    return onto[key];
                },
                set: (value: unknown) => {
                    build();
                    onto[key] = value;
                },
            });
            resolvers[key] = (...args) => {
                if (resolve) resolve(...args);
                else settled = args;
            };
        }
        return resolvers;
    };
    return () => {
        rpc.transferProperties = original;
    };
}

/**
 * Every resource's constructor captures the whole call stack and turns each frame into a
 * file URL, for the engine to show where a resource was declared. The mock engine drops
 * it, and the plan does not record it.
 */
export function withoutSourcePositions(): () => void {
    const resourceClass = pulumi.Resource as unknown as { stackTrace: (skip: number) => unknown[] };
    const original = resourceClass.stackTrace;
    resourceClass.stackTrace = () => [];
    return () => {
        resourceClass.stackTrace = original;
    };
}

type StructClass = typeof import("google-protobuf/google/protobuf/struct_pb").Struct;

/** The Struct class the SDK itself loaded (its own copy of google-protobuf, wherever npm put it). */
function sdkStructClass(): StructClass {
    const modulePath = require.resolve("google-protobuf/google/protobuf/struct_pb", { paths: [sdkDir()] });
    return (require(modulePath) as { Struct: StructClass }).Struct;
}

/**
 * Makes `Struct.fromJavaScript` (which the SDK calls for every registration's inputs)
 * return a Struct whose `toJavaScript` gives the round-tripped value computed at once, with
 * the same error for what a Struct cannot hold. The real Struct is built only if something
 * reads its fields another way. Returns the function that puts the original back.
 */
export function packWithoutStructs(): () => void {
    const Struct = sdkStructClass();
    const original = Struct.fromJavaScript;
    Struct.fromJavaScript = (value) => {
        const unpacked = structRoundTrip(value);
        const light = new Struct();
        let real: InstanceType<StructClass> | undefined;
        const built = () => (real ??= original.call(Struct, value));
        light.toJavaScript = () => unpacked as ReturnType<InstanceType<StructClass>["toJavaScript"]>;
        light.getFieldsMap = () => built().getFieldsMap();
        light.serializeBinary = () => built().serializeBinary();
        light.toObject = (includeInstance) => built().toObject(includeInstance);
        return light;
    };
    return () => {
        Struct.fromJavaScript = original;
    };
}
