/** Preload (sandboxed, context-isolated): exposes `window.homolab`, nothing else. */
import { contextBridge, ipcRenderer } from 'electron';
import type { OperationName } from '../src/api/contract';
import { buildPreloadApi } from './preload-builder';

/** The contract's operation names, inlined by electron/build.ts. */
declare const __HOMOLAB_OPERATIONS__: readonly OperationName[];

contextBridge.exposeInMainWorld('homolab', buildPreloadApi(ipcRenderer, __HOMOLAB_OPERATIONS__));
