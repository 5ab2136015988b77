"""Port of jinglescode/time-series-forecasting-tensorflowjs (model.js trainModel and
makePredictions, index.js ComputeSMA, onClickTrainModel, onClickValidate, onClickPredict): the
widely copied "Time Series Forecasting with TensorFlow.js" tutorial (stock prices, simple moving
average, a dense -> reshape -> tf.layers.rnn of stacked lstmCells network).

Line by line; the only changes: `import lstmkit as tf`, JavaScript syntax to Python, the
Alpha Vantage download replaced by a synthetic weekly price series, jQuery/Plotly calls
replaced by recording what they would show, smaller window and epoch counts.
"""

import asyncio
import math
import random
from datetime import date, timedelta

import lstmkit as tf


# model.js
async def trainModel(X, Y, window_size, n_epochs, learning_rate, n_layers, callback):
    input_layer_shape = window_size
    input_layer_neurons = 100

    rnn_input_layer_features = 10
    rnn_input_layer_timesteps = input_layer_neurons / rnn_input_layer_features

    rnn_input_shape = [rnn_input_layer_features, rnn_input_layer_timesteps]
    rnn_output_neurons = 20

    rnn_batch_size = window_size

    output_layer_shape = rnn_output_neurons
    output_layer_neurons = 1

    model = tf.sequential()

    xs = tf.tensor2d(X, [len(X), len(X[0])]).div(tf.scalar(10))
    ys = tf.tensor2d(Y, [len(Y), 1]).reshape([len(Y), 1]).div(tf.scalar(10))

    model.add(tf.layers.dense({"units": input_layer_neurons, "inputShape": [input_layer_shape]}))
    model.add(tf.layers.reshape({"targetShape": rnn_input_shape}))

    lstm_cells = []
    for index in range(n_layers):
        lstm_cells.append(tf.layers.lstmCell({"units": rnn_output_neurons}))

    model.add(
        tf.layers.rnn(
            {
                "cell": lstm_cells,
                "inputShape": rnn_input_shape,
                "returnSequences": False,
            }
        )
    )

    model.add(tf.layers.dense({"units": output_layer_neurons, "inputShape": [output_layer_shape]}))

    model.compile(
        {
            "optimizer": tf.train.adam(learning_rate),
            "loss": "meanSquaredError",
        }
    )

    async def onEpochEnd(epoch, log):
        callback(epoch, log)

    hist = await model.fit(
        xs,
        ys,
        {
            "batchSize": rnn_batch_size,
            "epochs": n_epochs,
            "callbacks": {
                "onEpochEnd": onEpochEnd,
            },
        },
    )

    return {"model": model, "stats": hist}


def makePredictions(X, model):
    predictedResults = model.predict(tf.tensor2d(X, [len(X), len(X[0])]).div(tf.scalar(10))).mul(10)
    return list(predictedResults.dataSync())


# index.js
def ComputeSMA(data, window_size):
    r_avgs = []
    avg_prev = 0
    for i in range(0, len(data) - window_size + 1):
        curr_avg = 0.00
        t = i + window_size
        k = i
        while k < t and k <= len(data):
            curr_avg += data[k]["price"] / window_size
            k += 1
        r_avgs.append({"set": data[i : i + window_size], "avg": curr_avg})
        avg_prev = curr_avg
    return r_avgs


def fetch_weekly_prices(numWeeks=160, seed=0):
    """What onClickFetchData builds from the 'Weekly Time Series' JSON: {timestamp, price}."""
    rng = random.Random(seed)
    data_raw = []
    price = 1.5
    day = date(2017, 1, 6)
    for i in range(numWeeks):
        price = price * (1 + 0.01 * rng.gauss(0, 1)) + 0.005 * math.sin(i / 8)
        data_raw.append({"timestamp": day.isoformat(), "price": price})
        day += timedelta(days=7)
    return data_raw


def test_stock_sma_lstm_tutorial():
    random.seed(0)
    tf.set_seed(0)
    window_size = 20
    trainingsize = 70
    data_raw = fetch_weekly_prices()

    # onClickDisplaySMA
    sma_vec = ComputeSMA(data_raw, window_size)
    assert len(sma_vec) == len(data_raw) - window_size + 1
    assert (
        abs(sma_vec[0]["avg"] - sum(d["price"] for d in data_raw[:window_size]) / window_size)
        < 1e-12
    )

    # onClickTrainModel
    epoch_loss = []
    inputs = [[val["price"] for val in inp_f["set"]] for inp_f in sma_vec]
    outputs = [outp_f["avg"] for outp_f in sma_vec]

    n_epochs = 8
    learningrate = 0.01
    n_hiddenlayers = 2

    inputs = inputs[0 : math.floor(trainingsize / 100 * len(inputs))]
    outputs = outputs[0 : math.floor(trainingsize / 100 * len(outputs))]

    def callback(epoch, log):
        epoch_loss.append(log["loss"])

    result = asyncio.run(
        trainModel(inputs, outputs, window_size, n_epochs, learningrate, n_hiddenlayers, callback)
    )
    assert len(epoch_loss) == n_epochs
    assert epoch_loss[-1] < epoch_loss[0]
    assert result["stats"].history["loss"] == epoch_loss

    # onClickValidate
    inputs = [[val["price"] for val in inp_f["set"]] for inp_f in sma_vec]
    val_train_x = inputs[0 : math.floor(trainingsize / 100 * len(inputs))]
    val_train_y = makePredictions(val_train_x, result["model"])
    val_unseen_x = inputs[math.floor(trainingsize / 100 * len(inputs)) : len(inputs)]
    val_unseen_y = makePredictions(val_unseen_x, result["model"])
    assert len(val_train_y) == len(val_train_x)
    assert len(val_unseen_y) == len(val_unseen_x)

    # onClickPredict
    pred_X = [inputs[len(inputs) - 1]]
    pred_X = pred_X[math.floor(trainingsize / 100 * len(pred_X)) : len(pred_X)]
    pred_y = makePredictions(pred_X, result["model"])
    assert len(pred_y) == 1 and math.isfinite(pred_y[0])
