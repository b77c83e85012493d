/**
 * The embedded echo server of the examples (the same one `minch` starts with
 * no URL), so every example runs with no network.
 */
import { startEchoServer, type EchoServer } from '../src/cli/echoServer.js';

export { startEchoServer, type EchoServer };

/** The URL given on the command line, or an embedded echo server's. */
export async function urlOrEmbedded(arg: string | undefined): Promise<{ url: string; server: EchoServer | null }> {
  if (arg !== undefined && arg !== '') return { url: arg, server: null };
  const server = await startEchoServer();
  return { url: server.url, server };
}
