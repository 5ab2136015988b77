"""Port of keras-team/keras-io examples/nlp/bidirectional_lstm_imdb.py (Bidirectional LSTM on
IMDB).

As written; the only changes: `from tensorflow import keras` -> `import lstmkit as keras`,
`from tensorflow.keras import layers` -> `from lstmkit import layers`, and
`keras.datasets.imdb.load_data` (a download) replaced by synthetic reviews of the same form
(lists of word indices of varying length, 0/1 labels); 320 + 64 of them instead of 25000 + 25000.
"""

import numpy as np

import lstmkit as keras
from lstmkit import layers


def load_data(num_words, seed=0, n_train=320, n_val=64):
    rng = np.random.default_rng(seed)

    def reviews(n):
        xs, ys = [], []
        for _ in range(n):
            label = int(rng.random() < 0.5)
            length = int(rng.integers(20, 260))
            # Positive reviews draw more words from the upper half of the vocabulary.
            lo = num_words // 2 if label else 1
            words = np.where(
                rng.random(length) < 0.5,
                rng.integers(lo, lo + num_words // 2, length),
                rng.integers(1, num_words, length),
            )
            xs.append(list(words))
            ys.append(label)
        return xs, np.array(ys)

    return reviews(n_train), reviews(n_val)


def test_keras_bidirectional_lstm_imdb():
    keras.set_seed(0)
    max_features = 20000  # Only consider the top 20k words
    maxlen = 200  # Only consider the first 200 words of each movie review

    # Input for variable-length sequences of integers
    inputs = keras.Input(shape=(None,), dtype="int32")
    # Embed each integer in a 128-dimensional vector
    x = layers.Embedding(max_features, 128)(inputs)
    # Add 2 bidirectional LSTMs
    x = layers.Bidirectional(layers.LSTM(64, return_sequences=True))(x)
    x = layers.Bidirectional(layers.LSTM(64))(x)
    # Add a classifier
    outputs = layers.Dense(1, activation="sigmoid")(x)
    model = keras.Model(inputs, outputs)
    model.summary()

    (x_train, y_train), (x_val, y_val) = load_data(num_words=max_features)
    print(len(x_train), "Training sequences")
    print(len(x_val), "Validation sequences")
    # Use pad_sequence to standardize sequence length:
    # this will truncate sequences longer than 200 words and zero-pad sequences shorter than
    # 200 words.
    x_train = keras.preprocessing.sequence.pad_sequences(x_train, maxlen=maxlen)
    x_val = keras.preprocessing.sequence.pad_sequences(x_val, maxlen=maxlen)

    model.compile(optimizer="adam", loss="binary_crossentropy", metrics=["accuracy"])
    history = model.fit(x_train, y_train, batch_size=32, epochs=2, validation_data=(x_val, y_val))

    assert x_train.shape == (320, 200)
    assert history.history["loss"][1] < history.history["loss"][0]
    assert sorted(history.history) == ["accuracy", "loss", "val_accuracy", "val_loss"]
    assert (
        model.count_params()
        == 20000 * 128 + 2 * 4 * (64 * (128 + 64 + 1)) + 2 * 4 * (64 * (128 + 64 + 1)) + 129
    )
