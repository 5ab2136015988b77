"""Port of tensorflow/tfjs-examples intent-classifier/training/ (tagger_model.js getModel,
train_tagger.js getDataIterator + run, util.js TAGS).

Line by line; the only changes: `import lstmkit as tf`, JavaScript syntax to Python, the
Universal Sentence Encoder token embeddings (512-d, ndjson) replaced by random 32-d ones, the
tagged queries by a few synthetic ones, `fileIO.fileSystem(outFolder)` by `tf.io.fileSystem`.
"""

import asyncio
import json
import os
import random

import pytest

import lstmkit as tf


class Tags(list):
    pass


# util.js
TAGS = Tags(["TOK", "LOC", "__PAD__"])
TAGS.PAD_IDX = 2

EMBEDDING_SIZE = 32  # 512 in the original (USE embeddings)


# tagger_model.js
def getModel(opts):
    embeddingDims = opts["embeddingDims"]
    sequenceLength = opts["sequenceLength"]
    modelType = opts["modelType"]
    numLabels = opts["numLabels"]
    weights = opts.get("weights")

    model = tf.sequential()
    model.add(
        tf.layers.inputLayer(
            {
                "inputShape": [sequenceLength, embeddingDims],
            }
        )
    )

    # This function can return one of three different model architectures:
    #  'lstm': A unidirectional (one layer) LSTM
    #  'bidirectional-lstm': A bidirectional (one layer) LSTM
    #  'dense': A single layer dense network. This can be a baseline.
    lstmLayer = None
    if modelType == "lstm":
        lstmLayer = tf.layers.lstm(
            {
                "units": sequenceLength,
                "recurrentInitializer": "glorotNormal",
                "returnSequences": True,
            }
        )
    elif modelType == "bidirectional-lstm":
        lstmLayer = tf.layers.lstm(
            {
                "units": sequenceLength,
                "recurrentInitializer": "glorotNormal",
                "returnSequences": True,
            }
        )
        lstmLayer = tf.layers.bidirectional({"layer": lstmLayer})

    if "lstm" in modelType:
        model.add(lstmLayer)
        dense = tf.layers.dense({"units": numLabels})
        model.add(tf.layers.timeDistributed({"layer": dense}))
        model.add(tf.layers.activation({"activation": "softmax"}))
    else:
        dense = tf.layers.dense({"units": numLabels, "activation": "softmax"})
        model.add(dense)

    model.compile(
        {
            "optimizer": "adam",
            "loss": "categoricalCrossentropy",
            "metrics": ["accuracy"],
            # Optionally weight misclassifications for different tags differently.
            "classWeight": weights,
        }
    )

    model.summary()

    return model


# train_tagger.js
def synthetic_data(seed=0):
    rng = random.Random(seed)
    words = [
        "play",
        "some",
        "music",
        "by",
        "the",
        "beatles",
        "weather",
        "in",
        "paris",
        "london",
        "tokyo",
        "add",
        "to",
        "my",
        "playlist",
        "tomorrow",
    ]
    places = {"paris", "london", "tokyo"}
    tokenEmbeddingsTuples = [[w, [rng.gauss(0, 1) for _ in range(EMBEDDING_SIZE)]] for w in words]
    taggedIntentTokens = []
    for _ in range(64):
        n = rng.randint(3, 8)
        sentence = [rng.choice(words) for _ in range(n)]
        taggedIntentTokens.append(
            [[{"token": t, "tag": "LOC" if t in places else "TOK"} for t in sentence]]
        )
    return tokenEmbeddingsTuples, taggedIntentTokens


async def getDataIterator(data, sequenceLength, batchSize):
    # Load token embeddings and convert to tensors
    tokenEmbeddingsTuples, taggedIntentTokens = data
    tokenEmbeddingsTuples = [
        [token, tf.tensor1d(embedding)] for [token, embedding] in tokenEmbeddingsTuples
    ]
    # Add an 'embedding' for the __PAD__ token. We will encode it with tf.ones.
    tokenEmbeddingsTuples.append([TAGS[2], tf.ones([EMBEDDING_SIZE])])
    tokenEmbeddings = dict(tokenEmbeddingsTuples)

    # Load the tagged intent tokens and convert the labels to one-hot
    labelOneHots = dict([tag, tf.oneHot(TAGS.index(tag), len(TAGS))] for tag in TAGS)

    print("Data Loaded")

    def getNextBatch():
        xs = []
        ys = []

        toDispose = []

        # Loop through all the tokenized sentences
        for idx in range(len(taggedIntentTokens)):
            sentence = taggedIntentTokens[idx]
            features = sentence[0]

            exampleX = []
            exampleY = []
            for index in range(sequenceLength):
                if index < len(features):
                    tuple_ = features[index]
                    token = tuple_["token"]
                    tag = tuple_["tag"]
                else:
                    # PADDING
                    token = TAGS[TAGS.PAD_IDX]
                    tag = TAGS[TAGS.PAD_IDX]

                # Note that we reuse the tensors for a given token or tag.
                tokenEmbedding = tokenEmbeddings.get(token)
                tagOnehot = labelOneHots.get(tag)

                exampleX.append(tokenEmbedding)
                exampleY.append(tagOnehot)

                tf.util.assert_(
                    tokenEmbedding is not None,
                    lambda: print(f"Error getting token embedding for {token}"),
                )

                tf.util.assertShapesMatch(
                    tokenEmbedding.shape,
                    [EMBEDDING_SIZE],
                    lambda: print(f"Wrong shape for token embedding of {token}"),
                )

                tf.util.assert_(
                    tagOnehot is not None, lambda: print(f"Error getting label onehot for {tag}")
                )

                tf.util.assertShapesMatch(
                    tagOnehot.shape,
                    [len(TAGS)],
                    lambda: print(f"Wrong shape for label onehot for {tag}"),
                )

            # Add an example to the batch
            xStacked = tf.stack(exampleX)
            yStacked = tf.stack(exampleY)
            xs.append(xStacked)
            ys.append(yStacked)

            toDispose.append(xStacked)
            toDispose.append(yStacked)

            # Create a new batch and yield it.
            if idx > 0 and idx % (batchSize - 1) == 0:
                batchedXS = tf.stack(xs)
                batchedYS = tf.stack(ys)

                yield {"xs": batchedXS, "ys": batchedYS}

                tf.dispose([batchedXS, batchedYS, toDispose])
                toDispose = []
                xs = []
                ys = []

    return getNextBatch


async def run(data, outFolder, modelOpts, trainingOpts):
    dataIterator = await getDataIterator(
        data,
        modelOpts["sequenceLength"],
        trainingOpts["batchSize"],
    )
    dataset = {"iterator": dataIterator}
    model = getModel(modelOpts)

    print("Start training", trainingOpts["epochs"])
    history = await model.fitDataset(
        dataset,
        {
            "epochs": trainingOpts["epochs"],
        },
    )

    os.makedirs(outFolder, exist_ok=True)
    print(f"Saving model to {outFolder}")
    await model.save(tf.io.fileSystem(outFolder))

    # Write out the related metadata
    metaOutPath = os.path.join(outFolder, "tagger_metadata.json")
    metadata = {
        "labels": TAGS,
        "sequenceLength": modelOpts["sequenceLength"],
        "embeddingSize": EMBEDDING_SIZE,
    }

    metadataStr = json.dumps(metadata, indent=2)
    with open(metaOutPath, "w", encoding="utf8") as f:
        f.write(metadataStr)
    return model, history


@pytest.mark.parametrize("modelType", ["bidirectional-lstm", "lstm"])
def test_intent_tagger_train(modelType, tmp_path):
    tf.set_seed(2)
    modelOpts = {
        "modelType": modelType,
        "sequenceLength": 10,
        "embeddingDims": EMBEDDING_SIZE,
        "numLabels": len(TAGS),
    }
    modelOpts["weights"] = [1, 1.5, 1]  # --boostLOCTag
    trainingOpts = {"epochs": 5, "batchSize": 16}
    outFolder = str(tmp_path / "bidirectional-tagger")

    model, history = asyncio.run(run(synthetic_data(), outFolder, modelOpts, trainingOpts))

    assert history.history["loss"][-1] < history.history["loss"][0]
    assert len(history.history["acc"]) == 5
    assert os.path.exists(os.path.join(outFolder, "model.json"))
    with open(os.path.join(outFolder, "tagger_metadata.json")) as f:
        assert json.load(f)["labels"] == ["TOK", "LOC", "__PAD__"]
    assert tuple(model.outputs[0].shape) == (None, 10, 3)
