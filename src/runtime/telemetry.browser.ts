/**
 * What browser bundles get instead of ./telemetry.js (the `browser` field of
 * package.json maps one to the other): browsers have no `diagnostics_channel`,
 * so there is nothing to publish and nothing to time. The signatures are
 * telemetry.js's own.
 */
import type * as Telemetry from './telemetry.js';

const nothing = (): void => {};

export const openConnections: typeof Telemetry.openConnections = () => 0;
export const attemptStarting: typeof Telemetry.attemptStarting = nothing;
export const attempt: typeof Telemetry.attempt = nothing;
export const opened: typeof Telemetry.opened = nothing;
export const ended: typeof Telemetry.ended = nothing;
export const reconnecting: typeof Telemetry.reconnecting = nothing;
export const answered: typeof Telemetry.answered = nothing;
export const stopped: typeof Telemetry.stopped = nothing;
export const frameSent: typeof Telemetry.frameSent = nothing;
export const frameReceived: typeof Telemetry.frameReceived = nothing;
