"""Port of keras-team/keras-io examples/generative/lstm_character_level_text_generation.py
(Character-level text generation with LSTM).

As written; the only changes: `from tensorflow import keras` -> `import lstmkit as keras`,
`from tensorflow.keras import layers` -> `from lstmkit import layers`, the Nietzsche download
(`keras.utils.get_file`) replaced by a short repeated text written to a tmp file, epochs 40 -> 2
and 400 -> 40 generated characters so it runs in seconds, the History kept for the check.
"""

import random
import sys

import numpy as np

import lstmkit as keras
from lstmkit import layers


def test_keras_lstm_character_level_text_generation(tmp_path):
    random.seed(0)
    np.random.seed(0)
    keras.set_seed(0)
    path = tmp_path / "nietzsche.txt"
    path.write_text("Supposing that Truth is a woman--what then? " * 60, encoding="utf-8")

    with open(path, encoding="utf-8") as f:
        text = f.read().lower()
    print("corpus length:", len(text))

    chars = sorted(list(set(text)))
    print("total chars:", len(chars))
    char_indices = dict((c, i) for i, c in enumerate(chars))
    indices_char = dict((i, c) for i, c in enumerate(chars))

    # cut the text in semi-redundant sequences of maxlen characters
    maxlen = 40
    step = 3
    sentences = []
    next_chars = []
    for i in range(0, len(text) - maxlen, step):
        sentences.append(text[i : i + maxlen])
        next_chars.append(text[i + maxlen])
    print("nb sequences:", len(sentences))

    print("Vectorization...")
    x = np.zeros((len(sentences), maxlen, len(chars)), dtype=np.bool)
    y = np.zeros((len(sentences), len(chars)), dtype=np.bool)
    for i, sentence in enumerate(sentences):
        for t, char in enumerate(sentence):
            x[i, t, char_indices[char]] = 1
        y[i, char_indices[next_chars[i]]] = 1

    model = keras.Sequential(
        [
            keras.Input(shape=(maxlen, len(chars))),
            layers.LSTM(128),
            layers.Dense(len(chars), activation="softmax"),
        ]
    )
    optimizer = keras.optimizers.RMSprop(learning_rate=0.01)
    model.compile(loss="categorical_crossentropy", optimizer=optimizer)

    def sample(preds, temperature=1.0):
        # helper function to sample an index from a probability array
        preds = np.asarray(preds).astype("float64")
        preds = np.log(preds) / temperature
        exp_preds = np.exp(preds)
        preds = exp_preds / np.sum(exp_preds)
        probas = np.random.multinomial(1, preds, 1)
        return np.argmax(probas)

    epochs = 2
    batch_size = 128

    losses, texts = [], []
    for epoch in range(epochs):
        history = model.fit(x, y, batch_size=batch_size, epochs=1)
        losses.append(history.history["loss"][0])

        print("Generating text after epoch: %d" % epoch)

        start_index = random.randint(0, len(text) - maxlen - 1)
        for diversity in [0.2, 0.5, 1.0, 1.2]:
            print("----- diversity:", diversity)

            generated = ""
            sentence = text[start_index : start_index + maxlen]
            generated += sentence
            print('----- Generating with seed: "' + sentence + '"')
            sys.stdout.write(generated)

            for i in range(40):
                x_pred = np.zeros((1, maxlen, len(chars)))
                for t, char in enumerate(sentence):
                    x_pred[0, t, char_indices[char]] = 1.0

                preds = model.predict(x_pred, verbose=0)[0]
                next_index = sample(preds, diversity)
                next_char = indices_char[next_index]

                sentence = sentence[1:] + next_char

                sys.stdout.write(next_char)
                sys.stdout.flush()
                generated += next_char
            print()
            texts.append(generated)

    assert losses[-1] < losses[0]
    assert len(texts) == 8
    assert all(len(t) == maxlen + 40 and set(t) <= set(chars) for t in texts)
