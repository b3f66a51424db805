// A stand-in for the `awslambda` global of the Node.js managed runtimes, installed before the
// handler module loads: the stream records what was written, and when it ended.
import { Writable } from "node:stream";

export function recordingStream() {
  const stream = new Writable({
    write(chunk, _encoding, callback) {
      stream.chunks.push(chunk.toString());
      callback();
    },
  });
  stream.chunks = [];
  stream.on("finish", () => {
    stream.endedAt = performance.now();
  });
  return stream;
}

globalThis.awslambda = {
  streamifyResponse: (handler) => handler,
  HttpResponseStream: {
    from(stream, prelude) {
      stream.prelude = prelude;
      return stream;
    },
  },
};
