import * as pulumi from "@pulumi/pulumi";
import { AdmissionGate } from "../tools/plan/admission";
import { runOffline } from "../tools/plan/engine";

/**
 * The offline plan admits resource registrations a few at a time (less garbage kept alive
 * at once); the plan it writes must not depend on that limit, and a registration waiting on
 * a resource queued behind the limit must not hang the plan.
 */

/** Lets every pending promise callback run (the gate's waiters are promise callbacks). */
const settle = () => new Promise<void>((resolve) => process.nextTick(resolve));

describe("admission gate", () => {
    test("admits up to the limit, then one more per finished registration, first come first served", async () => {
        const gate = new AdmissionGate(2);
        const admitted: number[] = [];
        const all = [0, 1, 2, 3, 4].map((i) => gate.admit().then(() => admitted.push(i)));
        await settle();
        expect(admitted).toEqual([0, 1]);
        gate.done();
        await settle();
        expect(admitted).toEqual([0, 1, 2]);
        gate.done();
        gate.done();
        await settle();
        expect(admitted).toEqual([0, 1, 2, 3, 4]);
        await Promise.all(all);
        expect(gate.peakInFlight).toBe(2);
        expect(gate.opened).toBe(false);
    });

    test("a turn of the event loop with registrations still queued admits all of them", async () => {
        const gate = new AdmissionGate(1);
        const admitted: number[] = [];
        void gate.admit().then(() => admitted.push(0));
        void gate.admit().then(() => admitted.push(1));
        void gate.admit().then(() => admitted.push(2));
        await settle();
        expect(admitted).toEqual([0]);
        await new Promise<void>((resolve) => setImmediate(resolve));
        await settle();
        expect(admitted).toEqual([0, 1, 2]);
        expect(gate.opened).toBe(true);
        expect(gate.peakInFlight).toBe(3);
    });

    test("a limit below 1 is refused", () => {
        expect(() => new AdmissionGate(0)).toThrow("admission limit must be a whole number >= 1, not 0");
    });
});

class Thing extends pulumi.CustomResource {
    declare readonly value: pulumi.Output<string>;
    constructor(name: string, args: { value: pulumi.Input<string> }, opts?: pulumi.CustomResourceOptions) {
        super("test:index:Thing", name, { value: args.value }, opts);
    }
}

/** A chain of resources, each built from the previous one's output, plus one that depends on it explicitly. */
function chain(count: number): Record<string, unknown> {
    let previous = new Thing("thing-0", { value: "v0" });
    const all = [previous];
    for (let i = 1; i < count; i++) {
        previous = new Thing(`thing-${i}`, { value: pulumi.interpolate`${previous.value}.${i}` });
        all.push(previous);
    }
    new Thing("last", { value: "end" }, { dependsOn: all.slice(0, 3) });
    return { tail: previous.value };
}

async function plan(program: () => Record<string, unknown>, inFlight: number) {
    return runOffline({ project: "gate", stack: "test", config: {}, secretKeys: [], program, inFlight });
}

describe("offline run with a bounded number of registrations in flight", () => {
    test("the plan is the same with 2 registrations in flight as with no effective limit, and the limit holds", async () => {
        const bounded = await plan(() => chain(12), 2);
        expect(bounded.errors).toEqual([]);
        expect(bounded.admission).toEqual({ peakInFlight: 2, opened: false });
        const unbounded = await plan(() => chain(12), 10_000);
        expect(unbounded.errors).toEqual([]);
        expect(unbounded.admission.peakInFlight).toBeGreaterThan(2);
        expect(JSON.stringify(bounded.resources)).toBe(JSON.stringify(unbounded.resources));
        expect(bounded.outputs).toEqual({ tail: "v0.1.2.3.4.5.6.7.8.9.10.11" });
        const last = bounded.resources.find((r) => r.name === "last");
        expect(last?.opts.dependsOn).toEqual([
            "urn:pulumi:test::gate::test:index:Thing::thing-0",
            "urn:pulumi:test::gate::test:index:Thing::thing-1",
            "urn:pulumi:test::gate::test:index:Thing::thing-2",
        ]);
    });

    test("a resource built from one created later, behind the limit, does not hang the plan", async () => {
        const program = () => {
            let later: (value: string) => void = () => undefined;
            const fromLater = new Thing("early", { value: new Promise<string>((resolve) => (later = resolve)) });
            // Holds the only slot until "early" can be prepared, which needs "late" registered.
            const late = new Thing("late", { value: "late-value" });
            late.value.apply((v) => later(v));
            return { early: fromLater.value };
        };
        const run = await plan(program, 1);
        expect(run.errors).toEqual([]);
        expect(run.admission.opened).toBe(true);
        expect(run.outputs).toEqual({ early: "late-value" });
    });
});
