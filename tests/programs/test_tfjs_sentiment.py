"""Port of tensorflow/tfjs-examples sentiment/ (train.js buildModel + main, sequence_utils.js
padSequences, data.js loadFeatures/loadTargets, index.js SentimentPredictor.predict).

Line by line; the only changes: `import lstmkit as tf`, JavaScript syntax to Python, the IMDB
files replaced by small synthetic word-index sequences of the same form (word 1 starts a
sequence, as in the binary files), argparse defaults shrunk, no tensorboard.
"""

import asyncio
import json
import math
import os
import random

import pytest

import lstmkit as tf

# sequence_utils.js
PAD_INDEX = 0  # Index of the padding character.
OOV_INDEX = 2  # Index fo the OOV character.


def padSequences(sequences, maxLen, padding="pre", truncating="pre", value=PAD_INDEX):
    # TODO(cais): This perhaps should be refined and moved into tfjs-preproc.
    def one(seq):
        # Perform truncation.
        if len(seq) > maxLen:
            if truncating == "pre":
                del seq[0 : len(seq) - maxLen]
            else:
                del seq[maxLen : len(seq)]

        # Perform padding.
        if len(seq) < maxLen:
            pad = []
            for i in range(maxLen - len(seq)):
                pad.append(value)
            if padding == "pre":
                seq = pad + seq
            else:
                seq = seq + pad

        return seq

    return [one(seq) for seq in sequences]


# data.js (the features come from an int32 buffer; here from a list of the same ints)
def loadFeatures(values, numWords, maxLen, multihot=False):
    sequences = []
    seq = []
    index = 0
    while index < len(values):
        value = values[index]
        if value == 1:
            # A new sequence has started.
            if index > 0:
                sequences.append(seq)
            seq = []
        else:
            # Sequence continues.
            seq.append(OOV_INDEX if value >= numWords else value)
        index += 1
    if len(seq) > 0:
        sequences.append(seq)

    # Get some sequence length stats.
    minLength = math.inf
    maxLength = -math.inf
    for seq in sequences:
        length = len(seq)
        if length < minLength:
            minLength = length
        if length > maxLength:
            maxLength = length
    print(f"Sequence length: min = {minLength}; max = {maxLength}")

    if multihot:
        # If requested by the arg, encode the sequences as multi-hot vectors.
        buffer = tf.buffer([len(sequences), numWords])
        for i, seq in enumerate(sequences):
            for wordIndex in seq:
                if wordIndex != OOV_INDEX:
                    buffer.set(1, i, wordIndex)
        return buffer.toTensor()
    else:
        paddedSequences = padSequences(sequences, maxLen, "pre", "pre")
        return tf.tensor2d(paddedSequences, [len(paddedSequences), maxLen], "int32")


def loadTargets(buffer):
    numPositive = 0
    numNegative = 0

    ys = []
    for i in range(len(buffer)):
        y = buffer[i]
        if y == 1:
            numPositive += 1
        else:
            numNegative += 1
        ys.append(y)

    print(f"Loaded {numPositive} positive examples and {numNegative} negative examples.")
    return tf.tensor2d(ys, [len(ys), 1], "float32")


def synthetic_imdb(numExamples, numWords, seed):
    """Reviews of 5-40 words; positive ones use more words from the upper half of the vocabulary."""
    rng = random.Random(seed)
    features, targets = [], []
    for _ in range(numExamples):
        label = rng.random() < 0.5
        features.append(1)
        for _ in range(rng.randint(5, 40)):
            if rng.random() < 0.6:
                lo, hi = (numWords // 2, numWords + 20) if label else (3, numWords // 2)
            else:
                lo, hi = 3, numWords + 20
            features.append(rng.randrange(lo, hi))
        targets.append(1 if label else 0)
    return features, targets


async def loadData(numWords, len, multihot=False):
    trainFeatures, trainTargets = synthetic_imdb(192, numWords, 1)  # imdb_train_data.bin, ...
    testFeatures, testTargets = synthetic_imdb(64, numWords, 2)

    xTrain = loadFeatures(trainFeatures, numWords, len, multihot)
    xTest = loadFeatures(testFeatures, numWords, len, multihot)
    yTrain = loadTargets(trainTargets)
    yTest = loadTargets(testTargets)

    tf.util.assert_(
        xTrain.shape[0] == yTrain.shape[0],
        "Mismatch in number of examples between xTrain and yTrain",
    )
    tf.util.assert_(
        xTest.shape[0] == yTest.shape[0], "Mismatch in number of examples between xTest and yTest"
    )
    return {"xTrain": xTrain, "yTrain": yTrain, "xTest": xTest, "yTest": yTest}


async def loadMetadataTemplate():
    # metadata.json.zip: the IMDB word index (a few words here).
    return {"index_from": 3, "word_index": {"great": 150, "movie": 10, "awful": 20, "film": 30}}


# train.js
def buildModel(modelType, maxLen, vocabularySize, embeddingSize):
    # TODO(cais): Bidirectional and dense-only.
    model = tf.sequential()
    if modelType == "multihot":
        model.add(
            tf.layers.dense(
                {
                    "units": 16,
                    "activation": "relu",
                    "inputShape": [vocabularySize],
                }
            )
        )
        model.add(
            tf.layers.dense(
                {
                    "units": 16,
                    "activation": "relu",
                }
            )
        )
    else:
        # All other model types use word embedding.
        model.add(
            tf.layers.embedding(
                {
                    "inputDim": vocabularySize,
                    "outputDim": embeddingSize,
                    "inputLength": maxLen,
                }
            )
        )
        if modelType == "flatten":
            model.add(tf.layers.flatten())
        elif modelType == "cnn":
            model.add(tf.layers.dropout({"rate": 0.5}))
            model.add(
                tf.layers.conv1d(
                    {
                        "filters": 250,
                        "kernelSize": 5,
                        "strides": 1,
                        "padding": "valid",
                        "activation": "relu",
                    }
                )
            )
            model.add(tf.layers.globalMaxPool1d({}))
            model.add(tf.layers.dense({"units": 250, "activation": "relu"}))
        elif modelType == "simpleRNN":
            model.add(tf.layers.simpleRNN({"units": 32}))
        elif modelType == "lstm":
            model.add(tf.layers.lstm({"units": 32}))
        elif modelType == "bidirectionalLSTM":
            model.add(
                tf.layers.bidirectional(
                    {"layer": tf.layers.lstm({"units": 32}), "mergeMode": "concat"}
                )
            )
        else:
            raise Exception(f"Unsupported model type: {modelType}")
    model.add(tf.layers.dense({"units": 1, "activation": "sigmoid"}))
    return model


async def main(args):
    print("Loading data...")
    multihot = args["modelType"] == "multihot"
    loaded = await loadData(args["numWords"], args["maxLen"], multihot)
    xTrain, yTrain, xTest, yTest = (
        loaded["xTrain"],
        loaded["yTrain"],
        loaded["xTest"],
        loaded["yTest"],
    )

    print("Building model...")
    model = buildModel(args["modelType"], args["maxLen"], args["numWords"], args["embeddingSize"])

    model.compile(
        {
            "loss": "binaryCrossentropy",
            "optimizer": args["optimizer"],
            "metrics": ["acc"],
        }
    )
    model.summary()

    print("Training model...")
    history = await model.fit(
        xTrain,
        yTrain,
        {
            "epochs": args["epochs"],
            "batchSize": args["batchSize"],
            "validationSplit": args["validationSplit"],
            # args.logDir == null ? null : tfn.node.tensorBoard(args.logDir, {...})
            "callbacks": None,
        },
    )

    print("Evaluating model...")
    [testLoss, testAcc] = model.evaluate(xTest, yTest, {"batchSize": args["batchSize"]})
    print(f"Evaluation loss: {(await testLoss.data())[0]:.4f}")
    print(f"Evaluation accuracy: {(await testAcc.data())[0]:.4f}")

    # Save model.
    metadata = None
    if args["modelSaveDir"] is not None and len(args["modelSaveDir"]) > 0:
        if multihot:
            print("Skipping saving of multihot model, which is not supported.")
        else:
            # Create base directory first.
            os.makedirs(args["modelSaveDir"], exist_ok=True)

            # Load metadata template.
            print("Loading metadata template...")
            metadata = await loadMetadataTemplate()

            # Save metadata.
            metadata["epochs"] = args["epochs"]
            metadata["embedding_size"] = args["embeddingSize"]
            metadata["max_len"] = args["maxLen"]
            metadata["model_type"] = args["modelType"]
            metadata["batch_size"] = args["batchSize"]
            metadata["vocabulary_size"] = args["numWords"]
            metadataPath = os.path.join(args["modelSaveDir"], "metadata.json")
            with open(metadataPath, "w") as f:
                f.write(json.dumps(metadata))
            print(f"Saved metadata to {metadataPath}")

            # Save model artifacts.
            await model.save(f"file://{args['modelSaveDir']}")
            print(f"Saved model to {args['modelSaveDir']}")
    return model, history, testLoss, testAcc


# index.js: SentimentPredictor (loader.loadHostedPretrainedModel is tf.loadLayersModel(url)).
class SentimentPredictor:
    # Initializes the Sentiment demo.
    async def init(self, urls):
        self.urls = urls
        self.model = await tf.loadLayersModel(urls["model"])
        await self.loadMetadata()
        return self

    async def loadMetadata(self):
        with open(self.urls["metadata"]) as f:  # loader.loadHostedMetadata
            sentimentMetadata = json.load(f)
        self.indexFrom = sentimentMetadata["index_from"]
        self.maxLen = sentimentMetadata["max_len"]
        print("indexFrom = " + str(self.indexFrom))
        print("maxLen = " + str(self.maxLen))

        self.wordIndex = sentimentMetadata["word_index"]
        self.vocabularySize = sentimentMetadata["vocabulary_size"]
        print("vocabularySize = ", self.vocabularySize)

    def predict(self, text):
        import re

        # Convert to lower case and remove all punctuations.
        inputText = re.sub(r"(\.|\,|\!)", "", text.strip().lower()).split(" ")

        # Convert the words to a sequence of word indices.
        def toIndex(word):
            wordIndex = self.wordIndex[word] + self.indexFrom
            if wordIndex > self.vocabularySize:
                wordIndex = OOV_INDEX
            return wordIndex

        sequence = [toIndex(word) for word in inputText]
        # Perform truncation and padding.
        paddedSequence = padSequences([sequence], self.maxLen)
        input = tf.tensor2d(paddedSequence, [1, self.maxLen])

        predictOut = self.model.predict(input)
        score = predictOut.dataSync()[0]
        predictOut.dispose()
        return {"score": score}


def test_pad_sequences_as_sequence_utils_test():
    assert padSequences([[10, 20, 30]], 5) == [[0, 0, 10, 20, 30]]
    assert padSequences([[10, 20, 30]], 5, "post") == [[10, 20, 30, 0, 0]]
    assert padSequences([[1, 2, 3, 4, 5, 6]], 4) == [[3, 4, 5, 6]]
    assert padSequences([[1, 2, 3, 4, 5, 6]], 4, "pre", "post") == [[1, 2, 3, 4]]


@pytest.mark.parametrize("modelType", ["lstm", "bidirectionalLSTM", "simpleRNN"])
def test_sentiment_train_main(modelType, tmp_path):
    tf.set_seed(7)
    args = {
        "modelType": modelType,
        "numWords": 200,
        "maxLen": 40,
        "embeddingSize": 16,
        "optimizer": "adam",
        "epochs": 4,
        "batchSize": 32,
        "validationSplit": 0.2,
        "modelSaveDir": str(tmp_path / "resources"),
        "logDir": None,
    }
    model, history, testLoss, testAcc = asyncio.run(main(args))

    assert history.history["loss"][-1] < history.history["loss"][0]
    assert set(history.history) == {"loss", "acc", "val_loss", "val_acc"}
    assert len(history.history["val_acc"]) == 4
    assert 0 <= testAcc.dataSync()[0] <= 1
    assert os.path.exists(tmp_path / "resources" / "model.json")
    assert os.path.exists(tmp_path / "resources" / "metadata.json")

    # The web page: load what main() saved and score a review.
    LOCAL_URLS = {
        "model": f"file://{tmp_path / 'resources' / 'model.json'}",
        "metadata": str(tmp_path / "resources" / "metadata.json"),
    }
    predictor = asyncio.run(SentimentPredictor().init(LOCAL_URLS))
    result = predictor.predict("Great movie, great film!")
    assert 0 <= result["score"] <= 1
    direct = model.predict(tf.tensor2d(padSequences([[153, 13, 153, 33]], 40), [1, 40]))
    assert abs(direct.dataSync()[0] - result["score"]) < 1e-6
