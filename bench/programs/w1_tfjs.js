// W1 whole process, TF.js in Node.js: the seed program. Usage: node w1_tfjs.js cpu|wasm
'use strict';
const tf = require('@tensorflow/tfjs');

async function main() {
  if (process.argv[2] === 'wasm') require('@tensorflow/tfjs-backend-wasm');
  await tf.setBackend(process.argv[2] || 'cpu');
  const model = tf.sequential();
  model.add(tf.layers.lstm({ units: 16, inputShape: [1, 1] }));
  model.add(tf.layers.dense({ units: 1 }));
  model.compile({ loss: 'meanSquaredError', optimizer: 'adam' });
  await model.fit(tf.tensor3d([[[1]], [[2]]]), tf.tensor2d([[1], [2]]), { epochs: 10, verbose: 0 });
  model.predict(tf.tensor3d([[[3]]])).print();
}

main();
