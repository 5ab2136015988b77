"""Port of keras-team/keras-io guides/working_with_rnns.py (Working with RNNs, the Keras guide).

As written; the only changes: `import tensorflow as tf` / `import keras` / `from keras import
layers` -> `import lstmkit as tf` / `import lstmkit as keras` / `from lstmkit import layers`,
the MNIST download replaced by 256 + 64 synthetic 28x28 "digits" (a bright row per label),
matplotlib's imshow left out, a seed set first, and what the guide prints kept for the checks.
The guide's last part (a custom cell over nested inputs, built with TensorFlow's own
tf.TensorShape and tf.nest) is left out: lstmkit's RNNs take one tensor per step.
"""

import numpy as np

import lstmkit as keras
import lstmkit as tf
from lstmkit import layers


def synthetic_mnist(n, seed):
    rng = np.random.default_rng(seed)
    y = rng.integers(0, 10, n)
    x = rng.integers(0, 60, (n, 28, 28)).astype(np.uint8)
    for i, label in enumerate(y):
        x[i, 2 + 2 * label, :] = 255  # the label's row is bright
    return x, y


def test_working_with_rnns_guide(capsys):
    keras.utils.set_random_seed(0)
    model = keras.Sequential()
    # Add an Embedding layer expecting input vocab of size 1000, and
    # output embedding dimension of size 64.
    model.add(layers.Embedding(input_dim=1000, output_dim=64))

    # Add a LSTM layer with 128 internal units.
    model.add(layers.LSTM(128))

    # Add a Dense layer with 10 units.
    model.add(layers.Dense(10))

    model.summary()

    model = keras.Sequential()
    model.add(layers.Embedding(input_dim=1000, output_dim=64))

    # The output of GRU will be a 3D tensor of shape (batch_size, timesteps, 256)
    model.add(layers.GRU(256, return_sequences=True))

    # The output of SimpleRNN will be a 2D tensor of shape (batch_size, 128)
    model.add(layers.SimpleRNN(128))

    model.add(layers.Dense(10))

    model.summary()
    assert (
        model.count_params() == 1000 * 64 + 3 * 256 * (64 + 256 + 1) + 128 * (256 + 128 + 1) + 1290
    )

    encoder_vocab = 1000
    decoder_vocab = 2000

    encoder_input = layers.Input(shape=(None,))
    encoder_embedded = layers.Embedding(input_dim=encoder_vocab, output_dim=64)(encoder_input)

    # Return states in addition to output
    output, state_h, state_c = layers.LSTM(64, return_state=True, name="encoder")(encoder_embedded)
    encoder_state = [state_h, state_c]

    decoder_input = layers.Input(shape=(None,))
    decoder_embedded = layers.Embedding(input_dim=decoder_vocab, output_dim=64)(decoder_input)

    # Pass the 2 states to a new LSTM layer, as initial state
    decoder_output = layers.LSTM(64, name="decoder")(decoder_embedded, initial_state=encoder_state)
    output = layers.Dense(10)(decoder_output)

    model = keras.Model([encoder_input, decoder_input], output)
    model.summary()
    out = model.predict([np.array([[1, 2, 3]]), np.array([[4, 5]])])
    assert np.asarray(out).shape == (1, 10)

    paragraph1 = np.random.random((20, 10, 50)).astype(np.float32)
    paragraph2 = np.random.random((20, 10, 50)).astype(np.float32)
    paragraph3 = np.random.random((20, 10, 50)).astype(np.float32)

    lstm_layer = layers.LSTM(64, stateful=True)
    output = lstm_layer(paragraph1)
    output = lstm_layer(paragraph2)
    output = lstm_layer(paragraph3)

    # reset_states() will reset the cached state to the original initial_state.
    # If no initial_state was provided, zero-states will be used by default.
    lstm_layer.reset_states()
    fresh = lstm_layer(paragraph1)
    again = layers.LSTM(64, stateful=True)
    again.build(paragraph1.shape)
    again.set_weights(lstm_layer.get_weights())
    np.testing.assert_allclose(np.asarray(fresh), np.asarray(again(paragraph1)), rtol=1e-6)

    paragraph1 = np.random.random((20, 10, 50)).astype(np.float32)
    paragraph2 = np.random.random((20, 10, 50)).astype(np.float32)
    paragraph3 = np.random.random((20, 10, 50)).astype(np.float32)

    lstm_layer = layers.LSTM(64, stateful=True)
    output = lstm_layer(paragraph1)
    output = lstm_layer(paragraph2)

    existing_state = lstm_layer.states

    new_lstm_layer = layers.LSTM(64)
    new_output = new_lstm_layer(paragraph3, initial_state=existing_state)
    assert np.asarray(new_output).shape == (20, 64)
    assert np.asarray(output).shape == (20, 64)

    model = keras.Sequential()

    model.add(layers.Bidirectional(layers.LSTM(64, return_sequences=True), input_shape=(5, 10)))
    model.add(layers.Bidirectional(layers.LSTM(32)))
    model.add(layers.Dense(10))

    model.summary()
    assert model.output_shape == (None, 10)

    batch_size = 64
    # Each MNIST image batch is a tensor of shape (batch_size, 28, 28).
    # Each input sequence will be of size (28, 28) (height is treated like time).
    input_dim = 28

    units = 64
    output_size = 10  # labels are from 0 to 9

    # Build the RNN model
    def build_model(allow_cudnn_kernel=True):
        # CuDNN is only available at the layer level, and not at the cell level.
        # This means `LSTM(units)` will use the CuDNN kernel,
        # while RNN(LSTMCell(units)) will run on non-CuDNN kernel.
        if allow_cudnn_kernel:
            # The LSTM layer with default options uses CuDNN.
            lstm_layer = keras.layers.LSTM(units, input_shape=(None, input_dim))
        else:
            # Wrapping a LSTMCell in a RNN layer will not use CuDNN.
            lstm_layer = keras.layers.RNN(
                keras.layers.LSTMCell(units), input_shape=(None, input_dim)
            )
        model = keras.models.Sequential(
            [
                lstm_layer,
                keras.layers.BatchNormalization(),
                keras.layers.Dense(output_size),
            ]
        )
        return model

    (x_train, y_train), (x_test, y_test) = synthetic_mnist(256, 1), synthetic_mnist(64, 2)
    x_train, x_test = x_train / 255.0, x_test / 255.0
    sample, sample_label = x_train[0], y_train[0]

    model = build_model(allow_cudnn_kernel=True)

    model.compile(
        loss=keras.losses.SparseCategoricalCrossentropy(from_logits=True),
        optimizer="sgd",
        metrics=["accuracy"],
    )

    history = model.fit(
        x_train, y_train, validation_data=(x_test, y_test), batch_size=batch_size, epochs=1
    )
    assert sorted(history.history) == ["accuracy", "loss", "val_accuracy", "val_loss"]

    noncudnn_model = build_model(allow_cudnn_kernel=False)
    noncudnn_model.set_weights(model.get_weights())
    noncudnn_model.compile(
        loss=keras.losses.SparseCategoricalCrossentropy(from_logits=True),
        optimizer="sgd",
        metrics=["accuracy"],
    )
    # RNN(LSTMCell) is the same network: same weights, same outputs
    np.testing.assert_allclose(
        np.asarray(noncudnn_model.predict(x_test)),
        np.asarray(model.predict(x_test)),
        rtol=1e-4,
        atol=1e-5,
    )
    noncudnn_model.fit(
        x_train, y_train, validation_data=(x_test, y_test), batch_size=batch_size, epochs=1
    )

    with tf.device("CPU:0"):
        cpu_model = build_model(allow_cudnn_kernel=True)
        cpu_model.set_weights(model.get_weights())
        result = tf.argmax(cpu_model.predict_on_batch(tf.expand_dims(sample, 0)), axis=1)
        print("Predicted result is: %s, target result is: %s" % (result.numpy(), sample_label))
    assert "Predicted result is: [" in capsys.readouterr().out
