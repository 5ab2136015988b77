"""The seed program of TF.js's Layers API, ported to lstmkit line by line.

TF.js (JavaScript):

    const model = tf.sequential();
    model.add(tf.layers.lstm({units: 16, inputShape: [1, 1]}));
    model.add(tf.layers.dense({units: 1}));
    model.compile({loss: 'meanSquaredError', optimizer: 'adam'});
    await model.fit(tf.tensor3d([[[1]], [[2]]]), tf.tensor2d([[1], [2]]), {epochs: 10});
    model.predict(tf.tensor3d([[[3]]])).print();
"""

import lstmkit as tf

model = tf.sequential()
model.add(tf.layers.lstm(units=16, input_shape=[1, 1]))
model.add(tf.layers.dense(units=1))
model.compile(loss="meanSquaredError", optimizer="adam")
history = model.fit(tf.tensor3d([[[1]], [[2]]]), tf.tensor2d([[1], [2]]), epochs=10)
model.predict(tf.tensor3d([[[3]]])).print()
