"""
=======================================================
Classifying speakers from variable-length utterances
=======================================================

The Japanese Vowels data set (UCI, CC BY 4.0) holds 640 utterances of /ae/ by 9
male speakers: sequences of 7 to 29 frames of 12 LPC cepstrum coefficients. The
task is to tell the speaker from one utterance. It ships with the package in
its standard split, 270 training and 370 test utterances, as a list of
sequences of different lengths, which the classifiers take as they are.

A small grid search on the training split tunes an
:class:`~sklearn_rnn.LSTMClassifier`; the test split is used once, at the end.
Reported accuracies on that split: the data set's original paper 0.941,
1-nearest-neighbour with dynamic time warping 0.949.
"""

# %%
import matplotlib.pyplot as plt
from sklearn.metrics import ConfusionMatrixDisplay
from sklearn.model_selection import GridSearchCV

from sklearn_rnn import GRUClassifier, LSTMClassifier, RNNClassifier
from sklearn_rnn.datasets import load_japanese_vowels

vowels = load_japanese_vowels()
X_train, y_train = vowels.X_train, vowels.y_train
X_test, y_test = vowels.X_test, vowels.y_test
lengths = [len(utterance) for utterance in X_train + X_test]
print(f"{len(X_train)} training and {len(X_test)} test utterances")
print(f"frames per utterance: {min(lengths)}-{max(lengths)}")

# %%
# Tuning on the training split
# ----------------------------
# A whole utterance is known before it is classified, so the classifiers read
# it in both directions by default (``bidirectional=True``), and in patches of
# two frames (``patch_size="auto"`` keeps the longest at most 16 steps). 270
# utterances are few for thousands of weights: five-fold stratified
# cross-validation on the training split chooses the hidden size and the
# dropout that holds the network back from learning them by heart.
search = GridSearchCV(
    LSTMClassifier(random_state=0),
    {"hidden_size": [32, 64], "dropout": [0.3, 0.5]},
    cv=5,
    n_jobs=-1,
).fit(X_train, y_train)
print(
    "chosen:",
    search.best_params_,
    f"(cross-validated accuracy {search.best_score_:.3f})",
)
print(f"test accuracy: {search.score(X_test, y_test):.3f}")

# %%
# Which speakers are confused
# ---------------------------
ConfusionMatrixDisplay.from_estimator(search, X_test, y_test, colorbar=False)
plt.title("LSTMClassifier on the test split")
plt.show()

# %%
# RNN, LSTM and GRU side by side
# ------------------------------
# The three cells with the chosen parameters, each fitted on the training
# split. On these short sequences the plain RNN's vanishing gradients do not
# bite.
for Classifier in (RNNClassifier, LSTMClassifier, GRUClassifier):
    model = Classifier(**search.best_params_, random_state=0)
    accuracy = model.fit(X_train, y_train).score(X_test, y_test)
    print(f"{Classifier.__name__:15s} test accuracy {accuracy:.3f}")
