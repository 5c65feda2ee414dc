import { Struct } from "google-protobuf/google/protobuf/struct_pb";
import { structRoundTrip } from "../tools/plan/monitor";

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
