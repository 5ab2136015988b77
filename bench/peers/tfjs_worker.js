// TF.js side of the benchmark: build, warm up, time; prints one JSON line.
// Usage: node tfjs_worker.js '{"n":..,"t":..,"d":..,"h":..,"layers":..,"batch":..,"epochs":..,
//                             "backend":"cpu"|"wasm","x":"x.f32","y":"y.f32"}'
'use strict';
const fs = require('fs');
const { performance } = require('perf_hooks');

function readF32(path) {
  const buf = fs.readFileSync(path);
  return new Float32Array(buf.buffer, buf.byteOffset, buf.byteLength / 4);
}

async function main() {
  const spec = JSON.parse(process.argv[2]);
  const tf = require('@tensorflow/tfjs');
  if (spec.backend === 'wasm') {
    require('@tensorflow/tfjs-backend-wasm');
  }
  await tf.setBackend(spec.backend);
  await tf.ready();
  const x = tf.tensor3d(readF32(spec.x), [spec.n, spec.t, spec.d]);
  const y = tf.tensor2d(readF32(spec.y), [spec.n, 1]);

  let t0 = performance.now();
  const model = tf.sequential();
  for (let i = 0; i < spec.layers; i++) {
    const opts = {
      units: spec.h,
      returnSequences: i < spec.layers - 1,
      kernelInitializer: 'glorotUniform',
      recurrentInitializer: 'orthogonal',
      biasInitializer: 'zeros',
      unitForgetBias: true,
      recurrentActivation: 'sigmoid',
    };
    if (i === 0) opts.inputShape = [spec.t, spec.d];
    model.add(tf.layers.lstm(opts));
  }
  model.add(tf.layers.dense({ units: 1, kernelInitializer: 'glorotUniform' }));
  model.compile({ optimizer: tf.train.adam(0.001), loss: 'meanSquaredError' });
  const buildS = (performance.now() - t0) / 1000;

  const fit = async (epochs) => {
    const h = await model.fit(x, y, { batchSize: spec.batch, epochs, shuffle: false, verbose: 0 });
    return h.history.loss[h.history.loss.length - 1];
  };
  const predict = async () => {
    const out = model.predict(x, { batchSize: spec.batch });
    await out.data();
    out.dispose();
  };
  const predictOnly = spec.epochs === 0;

  t0 = performance.now();
  if (predictOnly) await predict();
  else await fit(1);
  const warmupS = (performance.now() - t0) / 1000;

  let loss = null;
  t0 = performance.now();
  if (predictOnly) await predict();
  else loss = await fit(spec.epochs);
  const seconds = (performance.now() - t0) / 1000;
  const samples = spec.n * Math.max(spec.epochs, 1);
  console.log(JSON.stringify({
    build_s: buildS,
    warmup_s: warmupS,
    seconds,
    samples,
    samples_per_s: samples / seconds,
    loss,
    backend: tf.getBackend(),
  }));
}

main().catch((err) => {
  console.error(err && err.stack ? err.stack : String(err));
  process.exit(1);
});
