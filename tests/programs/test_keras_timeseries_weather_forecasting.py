"""Port of keras-team/keras-io examples/timeseries/timeseries_weather_forecasting.py
(Timeseries forecasting for weather prediction).

As written; the only changes: `import tensorflow as tf` / `from tensorflow import keras` ->
`import lstmkit as tf` / `import lstmkit as keras`, the Jena CSV download replaced by 6 000
synthetic rows of the same columns in a pandas DataFrame, epochs 10 -> 3, the checkpoint file in
tmp_path, and the matplotlib plots (show_raw_visualization, show_heatmap, visualize_loss,
show_plot) replaced by collecting the values they would plot.
"""

import numpy as np
import pandas as pd

import lstmkit as keras
import lstmkit as tf  # noqa: F401  (the program imports it)

titles = [
    "Pressure",
    "Temperature",
    "Temperature in Kelvin",
    "Temperature (dew point)",
    "Relative Humidity",
    "Saturation vapor pressure",
    "Vapor pressure",
    "Vapor pressure deficit",
    "Specific humidity",
    "Water vapor concentration",
    "Airtight",
    "Wind speed",
    "Maximum wind speed",
    "Wind direction in degrees",
]

feature_keys = [
    "p (mbar)",
    "T (degC)",
    "Tpot (K)",
    "Tdew (degC)",
    "rh (%)",
    "VPmax (mbar)",
    "VPact (mbar)",
    "VPdef (mbar)",
    "sh (g/kg)",
    "H2OC (mmol/mol)",
    "rho (g/m**3)",
    "wv (m/s)",
    "max. wv (m/s)",
    "wd (deg)",
]

date_time_key = "Date Time"


def synthetic_jena(rows=6000, seed=0):
    rng = np.random.default_rng(seed)
    i = np.arange(rows)
    day = np.sin(2 * np.pi * i / 144)
    temp = 5 + 6 * day + 0.3 * rng.normal(size=rows)
    cols = {
        date_time_key: pd.date_range("2009-01-01 00:10", periods=rows, freq="10min").strftime(
            "%d.%m.%Y %H:%M:%S"
        ),
        "p (mbar)": 996 + rng.normal(size=rows),
        "T (degC)": temp,
        "Tpot (K)": temp + 273.2,
        "Tdew (degC)": temp - 3,
        "rh (%)": 80 - 5 * day,
        "VPmax (mbar)": 8 + day,
        "VPact (mbar)": 6 + day,
        "VPdef (mbar)": 2 + day,
        "sh (g/kg)": 4 + 0.5 * day,
        "H2OC (mmol/mol)": 6 + day,
        "rho (g/m**3)": 1250 - 4 * temp,
        "wv (m/s)": 2 + rng.random(rows),
        "max. wv (m/s)": 3 + rng.random(rows),
        "wd (deg)": 180 + 90 * rng.random(rows),
    }
    return pd.DataFrame(cols)


def test_keras_timeseries_weather_forecasting(tmp_path):
    keras.set_seed(0)
    df = synthetic_jena()  # pd.read_csv(csv_path)

    split_fraction = 0.715
    train_split = int(split_fraction * int(df.shape[0]))
    step = 6

    past = 720
    future = 72
    learning_rate = 0.001
    batch_size = 256
    epochs = 3

    def normalize(data, train_split):
        data_mean = data[:train_split].mean(axis=0)
        data_std = data[:train_split].std(axis=0)
        return (data - data_mean) / data_std

    print(
        "The selected parameters are:",
        ", ".join([titles[i] for i in [0, 1, 5, 7, 8, 10, 11]]),
    )
    selected_features = [feature_keys[i] for i in [0, 1, 5, 7, 8, 10, 11]]
    features = df[selected_features]
    features.index = df[date_time_key]
    features.head()

    features = normalize(features.values, train_split)
    features = pd.DataFrame(features)
    features.head()

    train_data = features.loc[0 : train_split - 1]
    val_data = features.loc[train_split:]

    start = past + future
    end = start + train_split

    x_train = train_data[[i for i in range(7)]].values
    y_train = features.iloc[start:end][[1]]

    sequence_length = int(past / step)

    dataset_train = keras.preprocessing.timeseries_dataset_from_array(
        x_train,
        y_train,
        sequence_length=sequence_length,
        sampling_rate=step,
        batch_size=batch_size,
    )

    x_end = len(val_data) - past - future

    label_start = train_split + past + future

    x_val = val_data.iloc[:x_end][[i for i in range(7)]].values
    y_val = features.iloc[label_start:][[1]]

    dataset_val = keras.preprocessing.timeseries_dataset_from_array(
        x_val,
        y_val,
        sequence_length=sequence_length,
        sampling_rate=step,
        batch_size=batch_size,
    )

    for batch in dataset_train.take(1):
        inputs, targets = batch

    print("Input shape:", inputs.numpy().shape)
    print("Target shape:", targets.numpy().shape)
    assert inputs.numpy().shape == (256, 120, 7)
    assert targets.numpy().shape == (256, 1)

    inputs = keras.layers.Input(shape=(inputs.shape[1], inputs.shape[2]))
    lstm_out = keras.layers.LSTM(32)(inputs)
    outputs = keras.layers.Dense(1)(lstm_out)

    model = keras.Model(inputs=inputs, outputs=outputs)
    model.compile(optimizer=keras.optimizers.Adam(learning_rate=learning_rate), loss="mse")
    model.summary()

    path_checkpoint = str(tmp_path / "model_checkpoint.h5")
    es_callback = keras.callbacks.EarlyStopping(monitor="val_loss", min_delta=0, patience=5)

    modelckpt_callback = keras.callbacks.ModelCheckpoint(
        monitor="val_loss",
        filepath=path_checkpoint,
        verbose=1,
        save_weights_only=True,
        save_best_only=True,
    )

    history = model.fit(
        dataset_train,
        epochs=epochs,
        validation_data=dataset_val,
        callbacks=[es_callback, modelckpt_callback],
    )

    # visualize_loss(history, "Training and Validation Loss")
    loss = history.history["loss"]
    val_loss = history.history["val_loss"]
    assert len(loss) == len(val_loss) == epochs
    assert loss[-1] < loss[0]
    assert (tmp_path / "model_checkpoint.h5").exists()

    plots = []
    for x, y in dataset_val.take(5):
        # show_plot([...], 12, "Single Step Prediction")
        plots.append([x[0][:, 1].numpy(), y[0].numpy(), model.predict(x)[0]])
    assert len(plots) >= 1
    assert plots[0][0].shape == (120,)
    assert np.asarray(plots[0][2]).shape == (1,)
