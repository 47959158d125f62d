import tensorflow as tf
from tensorflow import keras
from tensorflow.keras import layers

# Example custom loss function to access layer weights
def custom_loss_with_weights(y_true, y_pred, weights, regularization_strength=0.1):
    """
    Calculates a loss based on y_true and y_pred and adds
    a regularization based on the layer's weights.

    Args:
        y_true: Ground truth tensor.
        y_pred: Model prediction tensor.
        weights: Weight tensor of a designated layer.
        regularization_strength: Strength of the weight based regularization.

    Returns:
        Scalar tensor representing the combined loss.
    """
    standard_loss = tf.keras.losses.categorical_crossentropy(y_true, y_pred)
    
    # Regularization based on the weights.
    regularization_term = tf.reduce_sum(tf.math.abs(weights)) * regularization_strength

    combined_loss = standard_loss + regularization_term
    return combined_loss


# Custom layer to expose weights.
class ExposeWeightsDense(layers.Layer):
    def __init__(self, units, activation=None, **kwargs):
        super(ExposeWeightsDense, self).__init__(**kwargs)
        self.units = units
        self.activation = tf.keras.activations.get(activation)
        self.kernel = None
        self.bias = None

    def build(self, input_shape):
        self.kernel = self.add_weight(shape=(input_shape[-1], self.units),
                                     initializer='glorot_uniform',
                                     trainable=True,
                                     name='kernel')
        self.bias = self.add_weight(shape=(self.units,),
                                     initializer='zeros',
                                     trainable=True,
                                     name='bias')
        super(ExposeWeightsDense, self).build(input_shape)

    def call(self, inputs):
        output = tf.matmul(inputs, self.kernel) + self.bias
        if self.activation:
           output = self.activation(output)
        return output
    
    def get_weights(self):
        return self.kernel

# Example model definition using functional API
def build_model_with_weight_output(input_shape, num_classes, weight_layer_name='dense_weights'):
    inputs = keras.Input(shape=input_shape)
    x = layers.Dense(64, activation='relu')(inputs)
    intermediate_layer = ExposeWeightsDense(32, activation='relu', name=weight_layer_name)(x)
    outputs = layers.Dense(num_classes, activation='softmax')(intermediate_layer)
    
    # Added additional weight output
    model = keras.Model(inputs=inputs, outputs=[outputs, intermediate_layer.get_weights()])
    return model

# Example Data and parameters
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
model = build_model_with_weight_output(input_shape=x_train.shape[1:], num_classes=num_classes)
model.compile(optimizer='adam', loss=custom_loss_with_weights)


# Training the modified model
model.fit(x_train, [y_train,model.get_layer('dense_weights').kernel], batch_size=32, epochs=2)

