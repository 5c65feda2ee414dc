import { Struct } from "google-protobuf/google/protobuf/struct_pb";
import { structRoundTrip } from "../tools/plan/monitor";
import { packWithoutStructs } from "../tools/plan/shortcuts";

/**
 * The offline plan's mock monitor answers registrations with the new state itself instead
 * of a protobuf Struct; what the SDK reads must be what it read from the Struct.
 */

describe("answers without the protobuf round trip", () => {
    const state = {
        b: 1,
        a: { z: [{ d: 1.5, c: null }, "s", [false]], "10": true, "2": "x", Z: -3 },
        sig: { "4dabf18193072939515e22adb298388d": "1b47061264138c4ac30d75fd1eb44270", value: "secret" },
    };

    test("every object's keys come out sorted, values unchanged", () => {
        expect(JSON.stringify(structRoundTrip(state))).toBe(
            '{"a":{"2":"x","10":true,"Z":-3,"z":[{"c":null,"d":1.5},"s",[false]]},"b":1,"sig":{"4dabf18193072939515e22adb298388d":"1b47061264138c4ac30d75fd1eb44270","value":"secret"}}',
        );
    });

    test("the same as what Struct.fromJavaScript(...).toJavaScript() gives", () => {
        expect(JSON.stringify(structRoundTrip(state))).toBe(JSON.stringify(Struct.fromJavaScript(state).toJavaScript()));
    });

    test("a value a Struct cannot hold fails the same way", () => {
        expect(() => Struct.fromJavaScript({ x: undefined } as never)).toThrow("Unexpected struct type.");
        expect(() => structRoundTrip({ x: undefined })).toThrow("Unexpected struct type.");
    });
});

describe("registrations' inputs packed without building a Struct", () => {
    const inputs = { z: { b: [1, "two", null], a: true }, "10": "ten", "2": "two" };

    test("toJavaScript gives what the real Struct gives, and other readers see the real fields", () => {
        const restore = packWithoutStructs();
        try {
            const packed = Struct.fromJavaScript(inputs);
            expect(JSON.stringify(packed.toJavaScript())).toBe('{"2":"two","10":"ten","z":{"a":true,"b":[1,"two",null]}}');
            // Unpacked once, when packed (a real Struct builds a new object on every call).
            expect(packed.toJavaScript()).toBe(packed.toJavaScript());
            expect(packed.getFieldsMap().get("10")?.getStringValue()).toBe("ten");
            expect(packed.toObject().fieldsMap.map(([key]) => key)).toEqual(["10", "2", "z"]);
        } finally {
            restore();
        }
    });

    test("a value a Struct cannot hold fails when packed, as before", () => {
        const restore = packWithoutStructs();
        try {
            expect(() => Struct.fromJavaScript({ x: undefined } as never)).toThrow("Unexpected struct type.");
        } finally {
            restore();
        }
    });

    test("the returned function puts the SDK's own packing back", () => {
        const original = Struct.fromJavaScript;
        packWithoutStructs()();
        expect(Struct.fromJavaScript).toBe(original);
        const packed = Struct.fromJavaScript(inputs);
        expect(packed.toJavaScript()).not.toBe(packed.toJavaScript());
    });
});
