/**
 * Admits resource registrations a few at a time. The program constructs every resource at
 * once; left alone, the SDK then prepares all of them side by side, one step each in turn,
 * so every registration's temporary values outlive several young-generation collections and
 * fill the old generation with garbage (most of the plan's peak memory on a large fleet).
 * Admitting at most `limit` registrations between "start preparing" and "the mock monitor
 * received the request" lets those temporaries die young. Order is first come, first
 * served, so the registrations still reach the monitor in the order they are admitted.
 *
 * A registration that waits for a resource still queued behind the limit would wait
 * forever; that can only show as a turn of the event loop with registrations queued (the
 * mock runtime does all its work in promise callbacks), so on such a turn the gate admits
 * everything queued and stops limiting.
 */
export class AdmissionGate {
    private inFlight = 0;
    private readonly queue: Array<() => void> = [];
    private open = false;
    private idleCheck: NodeJS.Immediate | undefined;
    /** The most registrations ever between admission and the monitor at once. */
    peakInFlight = 0;
    /** Whether a stall made the gate admit everything queued. */
    opened = false;

    constructor(private readonly limit: number) {
        if (!Number.isInteger(limit) || limit < 1) throw new RangeError(`admission limit must be a whole number >= 1, not ${limit}`);
    }

    /** Resolves when the registration may proceed; each admission must be followed by one `done()`. */
    admit(): Promise<void> {
        if (this.open || this.inFlight < this.limit) {
            this.take();
            return Promise.resolve();
        }
        const waiting = new Promise<void>((resolve) => this.queue.push(resolve));
        this.watchForStall();
        return waiting;
    }

    /** One admitted registration reached the monitor: admit the next one queued. */
    done(): void {
        if (this.inFlight > 0) this.inFlight--;
        const next = this.queue.shift();
        if (next) {
            this.take();
            next();
        }
    }

    /** Admits everything queued and every later registration (used once the program has run). */
    release(): void {
        this.open = true;
        while (this.queue.length > 0) {
            this.take();
            this.queue.shift()?.();
        }
        if (this.idleCheck) clearImmediate(this.idleCheck);
        this.idleCheck = undefined;
    }

    private take(): void {
        this.inFlight++;
        if (this.inFlight > this.peakInFlight) this.peakInFlight = this.inFlight;
    }

    private watchForStall(): void {
        if (this.idleCheck) return;
        this.idleCheck = setImmediate(() => {
            this.idleCheck = undefined;
            if (this.queue.length === 0) return;
            this.opened = true;
            this.release();
        });
    }
}
