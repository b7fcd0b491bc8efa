/** The `homolab serve` transport. */
export {
  startServer,
  defaultRendererDir,
  type StartServerOptions,
  type Served,
} from './start-server';
export { startHttpTransport, type HttpTransportOptions, type RunningServer } from './http-server';
