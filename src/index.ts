/**
 * Minch for TypeScript: a WebSocket client behaviour on an XState v5 statechart.
 * Every public export is listed here by name.
 */
export { createMinchActor, defineClient, sendFrame, sendInfo, close } from './client.js';
export type {
  Clock,
  CloseOptions,
  MinchActor,
  MinchActorOptions,
  MinchContext,
  MinchSnapshot,
  SendTarget,
} from './client.js';
export { createSupervisor } from './supervisor.js';
export type {
  ChildSpec,
  SupervisedChildren,
  SupervisorActor,
  SupervisorOptions,
  SupervisorSnapshot,
} from './supervisor.js';
export { supervisorMachine } from '../machines/supervisorMachine.js';
export type { SupervisorContext } from '../machines/supervisorMachine.js';
export { connect, receiveFrame } from './simple.js';
export type { Connection, ConnectError, ConnectOptions } from './simple.js';
export { backoff } from './core/backoff.js';
export { MINCH_CHANNELS } from './diagnostics.js';
export type {
  AttemptMessage,
  ClientMessage,
  DisconnectMessage,
  FrameMessage,
  HeartbeatMessage,
  OpenMessage,
  ReconnectMessage,
  StopMessage,
} from './diagnostics.js';
export type { BackoffOptions } from './core/backoff.js';
export type { ResolvedTimings } from './core/options.js';
export type { TypedActor, WithContext } from './typedActor.js';
export { minchMachine } from '../machines/minchMachine.js';
export { stateName } from '../machines/context.js';
export type { StateName } from '../machines/context.js';
export type { MinchEvent } from '../machines/events.js';
export type {
  CallbackName,
  CallbackResult,
  ConnectTarget,
  DisconnectReason,
  DisconnectResult,
  Frame,
  FrameInput,
  HeadersInput,
  HeartbeatOptions,
  InitResult,
  Logger,
  MinchClient,
  MinchError,
  OutboxOptions,
  Self,
  SendError,
  UpgradeResponse,
  WebSocketClass,
} from './types.js';
