import * as pulumi from "@pulumi/pulumi";
import * as path from "path";

/**
 * Work the SDK does for every resource that an offline run never reads. Each shortcut
 * returns the function that puts the SDK's own behaviour back; the plan is the same
 * with or without them (test/plan-shortcuts.test.ts).
 */

/** What the SDK calls once a registration answers: the value, whether known and secret, its dependencies, or the error. */
type Resolver = (...settled: unknown[]) => void;
type TransferProperties = (onto: Record<string, unknown>, label: string, props: Record<string, unknown>) => Record<string, Resolver>;

/** The SDK's own runtime/rpc module, where the constructor of every custom resource looks up `transferProperties`. */
function sdkRpcModule(): { transferProperties: TransferProperties } {
    const sdkDir = path.dirname(require.resolve("@pulumi/pulumi/package.json"));
    return require(path.join(sdkDir, "runtime", "rpc")) as { transferProperties: TransferProperties };
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
