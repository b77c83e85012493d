/**
 * The React example: one Minch client (useMinch) talking to the echo server of
 * the Vite dev or preview server. In your app, import from 'minch' and
 * 'minch/react' instead of the sources.
 */
import { either as E } from 'fp-ts';
import { useEffect, useState, type FormEvent } from 'react';
import { stateName } from '../../src/index.js';
import { useMinch } from '../../src/react.js';
import { countdown, describeDisconnect, echoClient, echoUrl, initialEchoState } from '../shared/echoClient.js';

/** The current time, refreshed every 100 ms while `active`. */
function useNow(active: boolean): number {
  const [now, setNow] = useState(() => Date.now());
  useEffect(() => {
    if (!active) return undefined;
    setNow(Date.now());
    const timer = setInterval(() => setNow(Date.now()), 100);
    return () => clearInterval(timer);
  }, [active]);
  return now;
}

export function App() {
  const { snapshot, sendFrame } = useMinch(echoClient, initialEchoState(echoUrl()));
  const [text, setText] = useState('');
  const [sendError, setSendError] = useState<string | null>(null);
  const state = stateName(snapshot);
  const { context } = snapshot;
  const { frames, received } = context.state;
  const now = useNow(state === 'backoff');
  const left = state === 'backoff' ? countdown(context.nextAttemptAt, now) : null;

  const onSubmit = (event: FormEvent) => {
    event.preventDefault();
    const sent = sendFrame({ type: 'text', data: text });
    if (E.isLeft(sent)) setSendError(`not sent: ${sent.left.type}`);
    else {
      setSendError(null);
      setText('');
    }
  };

  return (
    <main className="app">
      <header>
        <h1>Minch · React</h1>
        <span className="badge" data-testid="state" data-state={state}>
          {state}
        </span>
      </header>

      <section className="card">
        <dl>
          <dt>url</dt>
          <dd data-testid="url">{context.url ?? '—'}</dd>
          <dt>attempt</dt>
          <dd data-testid="attempt">{context.attempt}</dd>
          <dt>last disconnect</dt>
          <dd data-testid="last-disconnect">{describeDisconnect(context.lastDisconnect)}</dd>
          {state === 'backoff' && (
            <>
              <dt>next attempt</dt>
              <dd className="countdown" data-testid="countdown">
                {left === null ? 'waiting for handleDisconnect…' : `in ${left} (backoff ${context.backoffMs} ms)`}
              </dd>
            </>
          )}
        </dl>
      </section>

      <section className="card">
        <form onSubmit={onSubmit}>
          <input
            data-testid="input"
            placeholder="Type a message"
            value={text}
            onChange={(e) => setText(e.target.value)}
          />
          <button data-testid="send" type="submit" disabled={state !== 'open'}>
            Send
          </button>
        </form>
        {sendError !== null && (
          <p className="error" data-testid="send-error">
            {sendError}
          </p>
        )}
      </section>

      <section className="card">
        <h2>Received frames ({received})</h2>
        {frames.length === 0 ? (
          <p className="empty">Nothing yet: send something, the server echoes it.</p>
        ) : (
          <ol data-testid="frames" start={frames[0]!.id}>
            {frames.map((f) => (
              <li key={f.id} data-testid="frame">
                {f.data}
              </li>
            ))}
          </ol>
        )}
      </section>

      <p className="hint">
        <button className="secondary" type="button" onClick={() => void fetch('/__drop')}>
          Drop the connection (server side)
        </button>{' '}
        terminates the socket without a close frame: watch the backoff, then the reconnect.
      </p>
    </main>
  );
}
