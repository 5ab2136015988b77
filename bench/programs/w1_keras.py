"""W1 whole process, Keras 3 on JAX: the seed program."""

import os

os.environ["KERAS_BACKEND"] = "jax"
import keras
import numpy as np

model = keras.Sequential([keras.Input((1, 1)), keras.layers.LSTM(16), keras.layers.Dense(1)])
model.compile(loss="mean_squared_error", optimizer="adam")
xs, ys = np.array([[[1]], [[2]]], "float32"), np.array([[1], [2]], "float32")
model.fit(xs, ys, epochs=10, verbose=0)
print(model.predict(np.array([[[3]]], "float32"), verbose=0))
