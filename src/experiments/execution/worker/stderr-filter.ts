/**
 * Dawn (the `webgpu` package) writes its adapter-discovery warnings straight to the process's
 * stderr from native code — "Warning: Couldn't load Vulkan: …" with a C++ source location, and
 * the like — every time a worker looks for a GPU, so every training start printed a stack of
 * them. What a user needs from that search is one line, which the worker already sends with
 * its backend choice ("auto (skipped webgpu: no WebGPU adapter …)"). The host therefore reads
 * the worker's stderr and drops Dawn's discovery blocks, forwarding every other line as is.
 * HOMOLAB_DEBUG=1 forwards everything.
 */

const DAWN_START = [
  /^Warning: (Couldn't load Vulkan|Vulkan |.*\bbackend=BackendType::)/,
  /^(Warning|Error): .*\b(Dawn|adapter|Vulkan|D3D1[12]|Metal|OpenGL)\b/,
  /^error: XDG_RUNTIME_DIR is invalid or not set/,
];
const DAWN_CONTINUATION = [/^ - While /, /^\s+at .*[/\\]dawn[/\\]/, /^\s*$/];

/** A line filter over a text stream: `push` chunks, complete lines go to `write`. */
export function dawnNoiseFilter(write: (text: string) => void): {
  push(chunk: string): void;
  end(): void;
} {
  let pending = '';
  let inBlock = false;
  const line = (l: string) => {
    if (DAWN_START.some((r) => r.test(l))) inBlock = true;
    else if (!(inBlock && DAWN_CONTINUATION.some((r) => r.test(l)))) {
      inBlock = false;
      write(`${l}\n`);
    }
  };
  return {
    push(chunk) {
      pending += chunk;
      let i;
      while ((i = pending.indexOf('\n')) >= 0) {
        line(pending.slice(0, i));
        pending = pending.slice(i + 1);
      }
    },
    end() {
      if (pending) line(pending);
      pending = '';
    },
  };
}
