import tensorflow as tf
from tensorflow import keras
from tensorflow.keras import layers

# Example custom loss function with a custom function
def custom_loss_with_function(y_true, y_pred, intermediate_output, regularization_strength=0.1):
    """
    Calculates a loss based on y_true and y_pred and adds
    a regularization based on the intermediate layer output using a custom function.

    Args:
        y_true: Ground truth tensor.
        y_pred: Model prediction tensor.
        intermediate_output: Activation tensor from a designated layer.
        regularization_strength: Strength of the weight based regularization.

    Returns:
        Scalar tensor representing the combined loss.
    """
    standard_loss = tf.keras.losses.categorical_crossentropy(y_true, y_pred)
    
    # Custom regularization logic based on the intermediate layer's output
    regularization_term = custom_function(intermediate_output) * regularization_strength

    combined_loss = standard_loss + regularization_term
    return combined_loss

# Custom function operating on the activations.
def custom_function(activations):
    """
    Example of a custom function operating on the layer's activations.
    """
    mean_activation = tf.reduce_mean(tf.math.square(activations))
    return mean_activation


# Example model definition using functional API
def build_model_with_function_output(input_shape, num_classes, intermediate_layer_name='dense_intermediate'):
    inputs = keras.Input(shape=input_shape)
    x = layers.Dense(64, activation='relu')(inputs)
    intermediate_layer = layers.Dense(32, activation='relu', name=intermediate_layer_name)(x)
    outputs = layers.Dense(num_classes, activation='softmax')(intermediate_layer)
    
    # Added additional weight output
    model = keras.Model(inputs=inputs, outputs=[outputs, intermediate_layer])
    return model

# Example data and parameters
input_shape = (10,)
num_classes = 5
(x_train, y_train), (x_test, y_test) = tf.keras.datasets.mnist.load_data()
x_train = x_train.reshape(-1, 28*28).astype('float32') / 255.0
y_train = tf.keras.utils.to_categorical(y_train, num_classes=10)
x_test = x_test.reshape(-1, 28*28).astype('float32') / 255.0
y_test = tf.keras.utils.to_categorical(y_test, num_classes=10)
x_train = x_train[:100]
y_train = y_train[:100,:num_classes]
x_test = x_test[:100]
y_test = y_test[:100,:num_classes]


# Build and compile the model
model = build_model_with_function_output(input_shape=x_train.shape[1:], num_classes=num_classes)

model.compile(optimizer='adam', loss=custom_loss_with_function)

# Training the modified model
model.fit(x_train, [y_train, x_train], batch_size=32, epochs=2)
