"""W1 whole process, lstmkit: the seed program (examples/seed.py), silent fit."""

import lstmkit as tf

model = tf.sequential()
model.add(tf.layers.lstm(units=16, input_shape=[1, 1]))
model.add(tf.layers.dense(units=1))
model.compile(loss="meanSquaredError", optimizer="adam")
model.fit(tf.tensor3d([[[1]], [[2]]]), tf.tensor2d([[1], [2]]), epochs=10, verbose=0)
model.predict(tf.tensor3d([[[3]]])).print()
