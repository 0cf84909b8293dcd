"""Triage estimators: an explainable advice for a service-oriented target (effort, integrated help).

:class:`TriageClassifier` compares candidates on the same training rows and keeps one:

- ``glassbox``: logistic regression on one-hot categories and standardised numbers (``linear``;
  spline-expanded numbers, ``spline``, on request), at a few regularisation strengths ``Cs`` —
  every contribution is a coefficient times a value, which a model owner can read;
- ``boosting``: ``HistGradientBoostingClassifier`` on explicit ordinal codes (numeric columns, so
  SHAP's TreeExplainer sees every split; it ignores pandas ``category`` splits).

The glass-box configuration of before issue 20 (splines, ``C=1``) is a candidate too.
Every candidate is scored on time-ordered predictions (ADR 0023; :func:`forward_predictions`:
the training rows, oldest first, in ``cv + 1`` blocks, each block after the first predicted from
the blocks before it, as the model is used; nothing is held out). The glass-box candidate with
the lowest time-ordered log loss is the most accurate unless boosting beats its time-ordered
ROC AUC by more than ``preference_margin`` (AA:2023:02: explainability first). With a
``constraint`` (ADR 0016: the gates are a constraint, accuracy the objective) the most accurate
candidate whose out-of-fold decisions pass it is kept; :meth:`TriageClassifier.settle` then
walks on to the next one while a judge on cases the model never saw refuses it. The kept candidate is
refitted on all training rows and calibrated on its out-of-fold scores
(``CalibratedClassifierCV(cv=..., ensemble=False)``: Platt scaling for two classes, temperature
scaling for more; both monotone in the raw score, so SHAP contributions in raw space keep their
direction). docs/triage.md says why: a 25 % hold-out for choosing and calibrating, and splines at
a fixed ``C``, cost the model up to 0.012 ROC AUC against a plain logistic regression on small
simulated case files (and two points on the case file of issue 20).

``raw_output`` is the uncalibrated model's decision function (log-odds); SHAP explains it and
``base value + contributions == raw_output`` holds exactly.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
from sklearn.base import BaseEstimator, ClassifierMixin, clone
from sklearn.calibration import CalibratedClassifierCV
from sklearn.compose import ColumnTransformer
from sklearn.ensemble import HistGradientBoostingClassifier
from sklearn.impute import SimpleImputer
from sklearn.linear_model import LogisticRegression
from sklearn.metrics import log_loss, roc_auc_score
from sklearn.model_selection import StratifiedKFold, TimeSeriesSplit, cross_val_predict
from sklearn.pipeline import Pipeline
from sklearn.preprocessing import LabelEncoder, OneHotEncoder, OrdinalEncoder, SplineTransformer, StandardScaler
from sklearn.utils.multiclass import check_classification_targets
from sklearn.utils.validation import check_is_fitted, validate_data
from threadpoolctl import threadpool_limits

MODEL_TYPES = ("auto", "glassbox", "boosting")
NUMERIC_FORMS = ("linear", "spline")
# The glass-box configuration before issue 20: splines on every number at C=1 (ADR 0016).
PREVIOUS_GLASSBOX = ("spline", 1.0)


def single_threaded() -> threadpool_limits:
    """Run OpenMP and BLAS on one thread while fitting (:meth:`TriageClassifier.fit`, ``settle``,
    ``candidate_model`` and the plain peers). A case file has thousands of rows, not millions: a
    gradient-boosting or logistic fit takes well under a second on one core, and with more threads
    OpenMP synchronises at every split. On a machine where other work keeps the cores busy that
    synchronisation waits for descheduled threads: one three-class boosting fit of 1,467 cases
    took 139 s with the default threads at load 9 on 2 cores, 0.27 s on one thread
    (docs/benchmarks.md, issue 20)."""
    return threadpool_limits(limits=1)


def _as_frame(X: Any, columns: list[str] | None = None) -> pd.DataFrame:
    if isinstance(X, pd.DataFrame):
        return X
    array = np.asarray(X, dtype=object)
    if array.ndim == 1:
        array = array.reshape(-1, 1)
    names = columns or [f"x{i}" for i in range(array.shape[1])]
    return pd.DataFrame(array, columns=names)


def _kinds(frame: pd.DataFrame, given: dict[str, str] | None) -> dict[str, str]:
    out = {}
    for column in frame.columns:
        kind = (given or {}).get(column)
        if kind is None:
            series = frame[column]
            numeric = pd.api.types.is_numeric_dtype(series) and not pd.api.types.is_bool_dtype(series)
            kind = "numeric" if numeric else "categorical"
        out[column] = "numeric" if kind == "numeric" else "categorical"
    return out


def prepare_frame(frame: pd.DataFrame, kinds: dict[str, str]) -> pd.DataFrame:
    """Numbers as float (missing as NaN), everything else as text (missing as '<missing>')."""
    out = pd.DataFrame(index=frame.index)
    for column, kind in kinds.items():
        if kind == "numeric":
            out[column] = pd.to_numeric(frame[column], errors="coerce").astype(float)
        else:
            text = frame[column].astype("string").str.lower().fillna("<missing>")
            out[column] = text.astype(object)
    return out


def encoder(kinds: dict[str, str], numeric_form: str | None, n_knots: int) -> ColumnTransformer:
    """Glass-box encoding (``numeric_form`` "linear" or "spline", one-hot categories) or, with
    ``numeric_form=None``, the boosting encoding (numbers as they are, ordinal category codes)."""
    numeric = [c for c, k in kinds.items() if k == "numeric"]
    categorical = [c for c, k in kinds.items() if k != "numeric"]  # booleans too
    if numeric_form is not None:
        shape: list[tuple[str, Any]] = [("impute", SimpleImputer(strategy="median"))]
        if numeric_form == "spline":
            shape.append(
                ("spline", SplineTransformer(n_knots=n_knots, degree=3, knots="quantile", extrapolation="constant"))
            )
        num: Any = Pipeline([*shape, ("scale", StandardScaler())])
        cat: Any = OneHotEncoder(handle_unknown="ignore", min_frequency=5, sparse_output=False)
    else:
        num = "passthrough"
        cat = OrdinalEncoder(handle_unknown="use_encoded_value", unknown_value=np.nan, encoded_missing_value=np.nan)
    return ColumnTransformer(
        [("num", num, numeric), ("cat", cat, categorical)], verbose_feature_names_out=False, sparse_threshold=0.0
    )


def _auc(y: np.ndarray, proba: np.ndarray, classes: np.ndarray) -> float:
    if len(classes) == 2:
        return float(roc_auc_score(y == classes[1], proba[:, 1]))
    return float(roc_auc_score(y, proba, multi_class="ovr", average="macro", labels=classes))


def forward_predictions(pipe: Any, data: pd.DataFrame, y: np.ndarray, classes: np.ndarray, splits: int) -> np.ndarray:
    """Time-ordered out-of-fold probabilities: the rows (oldest first) in ``splits + 1`` blocks, and
    every block after the first predicted by ``pipe`` fitted on all the blocks before it — as the
    product uses a model, on cases newer than any it learned from (``TimeSeriesSplit``). Rows not
    predicted (the first block, or a block whose older rows lack a class) are NaN."""
    out = np.full((len(y), len(classes)), np.nan)
    for older, newer in TimeSeriesSplit(n_splits=splits).split(data):
        if len(np.unique(y[older])) < len(classes):
            continue  # a model that never saw a class cannot be scored on it fairly
        fitted = clone(pipe).fit(data.iloc[older], y[older])
        out[newer] = fitted.predict_proba(data.iloc[newer])
    return out


def mean_log_loss(y: np.ndarray, proba: np.ndarray, classes: np.ndarray) -> float:
    """Mean log loss over the rows ``proba`` holds a prediction for (rows of NaN left out)."""
    scored = ~np.isnan(proba).any(axis=1)
    return float(log_loss(y[scored], proba[scored], labels=classes))


def _scored_auc(y: np.ndarray, proba: np.ndarray, classes: np.ndarray) -> float:
    scored = ~np.isnan(proba).any(axis=1)
    if len(np.unique(y[scored])) < len(classes):
        return float("nan")
    return _auc(y[scored], proba[scored], classes)


def candidate_name(numeric_form: str, C: float) -> str:
    """``glassbox:<numeric form>:C=<C>``, the key of a glass-box candidate in ``cv_auc_``."""
    return f"glassbox:{numeric_form}:C={C:g}"


# A candidate's out-of-fold probabilities -> (passes, why); see TriageClassifier.fit.
Constraint = Callable[[np.ndarray], tuple[bool, str]]


def _as_deployed(y: np.ndarray, proba: np.ndarray, classes: np.ndarray) -> np.ndarray:
    """Out-of-fold probabilities as the calibrated model would give them, for judging a candidate's
    decisions (argmax). Two classes: Platt scaling fitted on the out-of-fold log-odds, the map that
    ``CalibratedClassifierCV(ensemble=False)`` fits on the same scores, which moves the 0.5 cut.
    More classes: unchanged (temperature scaling divides every log-odds by one number, so the
    argmax stays)."""
    if len(classes) != 2:
        return proba
    p = np.clip(proba[:, 1], 1e-12, 1 - 1e-12)
    logit = np.log(p / (1 - p)).reshape(-1, 1)
    platt = LogisticRegression(C=1e6).fit(logit, y == classes[1])
    p1 = platt.predict_proba(logit)[:, 1]
    return np.column_stack([1 - p1, p1])


class TriageClassifier(ClassifierMixin, BaseEstimator):
    """Calibrated, explainable classifier for a binary or multi-class triage target.

    Parameters
    ----------
    feature_kinds : mapping of column -> "numeric" | "categorical" | "boolean"; columns not listed
        are inferred from their dtype (numbers numeric, the rest categorical).
    model_type : "auto" (choose by cross-validation), "glassbox" or "boosting".
    preference_margin : time-ordered ROC AUC by which boosting must beat the glass-box model.
        (The glass-box candidates among themselves are compared by time-ordered log loss.)
    cv : number of time-ordered splits for choosing (log loss and ROC AUC of each block predicted
        from the older blocks; the rows must come oldest first) and of stratified folds for the
        constraint's out-of-fold predictions and the cross-fitted calibration.
    Cs : inverse regularisation strengths tried for the glass-box model (each with every form in
        ``numeric_forms``).
    numeric_forms : how the glass-box model sees numbers: "linear" (standardised) and/or
        "spline" (cubic B-splines with ``n_knots`` quantile knots). Only "linear" by default: on
        the newest cases of small simulated case files splines lost up to 0.025 ROC AUC at C=1
        and up to 0.004 even when chosen by out-of-fold log loss (docs/triage.md).
    include_previous : also try the glass-box configuration of before issue 20 (cubic splines,
        ``C=1``; :data:`PREVIOUS_GLASSBOX`), so a fairness constraint can fall back on it (ADR 0016).
    """

    def __init__(
        self,
        feature_kinds: dict[str, str] | None = None,
        model_type: str = "auto",
        preference_margin: float = 0.02,
        cv: int = 5,
        Cs: tuple[float, ...] = (0.01, 0.1, 1.0),
        numeric_forms: tuple[str, ...] = ("linear",),
        include_previous: bool = True,
        n_knots: int = 4,
        max_iter: int = 200,
        random_state: int = 0,
    ):
        self.feature_kinds = feature_kinds
        self.model_type = model_type
        self.preference_margin = preference_margin
        self.cv = cv
        self.Cs = Cs
        self.numeric_forms = numeric_forms
        self.include_previous = include_previous
        self.n_knots = n_knots
        self.max_iter = max_iter
        self.random_state = random_state

    # -- fitting -------------------------------------------------------------------------
    def fit(self, X: Any, y: Any, constraint: Constraint | None = None) -> TriageClassifier:
        """Choose, refit and calibrate. ``constraint`` (optional) receives a candidate's out-of-fold
        probabilities for the training rows (in their order, calibrated as the final model would
        be) and returns ``(passed, reason)``: the most accurate candidate that passes is kept
        (:meth:`_prefer`); when none passes, the most accurate one (its gates will say why).
        """
        if self.model_type not in MODEL_TYPES:
            raise ValueError(f"model_type must be one of {MODEL_TYPES}, got {self.model_type!r}")
        unknown = sorted(set(self.numeric_forms) - set(NUMERIC_FORMS))
        if unknown or not self.numeric_forms or not self.Cs:
            raise ValueError(f"numeric_forms must be a non-empty subset of {NUMERIC_FORMS} and Cs non-empty")
        frame = _as_frame(X)
        _, y = validate_data(self, frame, y, dtype=None, ensure_all_finite=False, reset=True)
        check_classification_targets(y)
        self.feature_names_in_ = np.asarray([str(c) for c in frame.columns], dtype=object)
        self.classes_ = np.unique(y)
        if len(self.classes_) < 2:
            raise ValueError("the target has only one class; nothing to learn")
        self.feature_kinds_ = _kinds(frame, self.feature_kinds)
        data = prepare_frame(frame, self.feature_kinds_)
        folds = StratifiedKFold(n_splits=self.cv)  # unshuffled: the folds keep the rows' (time) order
        candidates = self._candidates()
        with single_threaded():
            out_of_fold = {
                name: cross_val_predict(pipe, data, y, cv=folds, method="predict_proba")
                for name, pipe in candidates.items()
            }
            forward = {
                name: forward_predictions(pipe, data, y, self.classes_, self.cv) for name, pipe in candidates.items()
            }
        # The choice: scores of time-ordered predictions (every row predicted from older rows
        # only); the stratified out-of-fold predictions, which cover every row, serve the
        # constraint and the calibration. When no older block holds every class, those instead.
        scored = {name: proba if not np.isnan(proba).all() else out_of_fold[name] for name, proba in forward.items()}
        self.cv_auc_ = {name: _scored_auc(y, proba, self.classes_) for name, proba in scored.items()}
        self.cv_log_loss_ = {name: mean_log_loss(y, proba, self.classes_) for name, proba in scored.items()}
        self.unconstrained_candidate_ = self._prefer(list(candidates))
        self.admissible_: dict[str, bool] = {}
        self.constraint_reasons_: dict[str, str] = {}
        if constraint is not None:
            for name, proba in out_of_fold.items():
                passed, reason = constraint(_as_deployed(y, proba, self.classes_))
                self.admissible_[name], self.constraint_reasons_[name] = bool(passed), str(reason)
        admissible = [n for n in candidates if self.admissible_.get(n, True)]
        choice = self._prefer(admissible) if admissible else self.unconstrained_candidate_
        self.judged_: dict[str, dict[str, Any]] = {}
        self.ranges_ = {
            c: (float(np.nanmin(data[c])), float(np.nanmax(data[c])))
            for c, k in self.feature_kinds_.items()
            if k == "numeric" and data[c].notna().any()
        }
        self.categories_ = {
            c: sorted(data[c].unique().tolist()) for c, k in self.feature_kinds_.items() if k == "categorical"
        }
        self._use(choice, data, y)
        return self

    def _use(self, name: str, data: pd.DataFrame, y: np.ndarray) -> None:
        """Refit candidate ``name`` on all rows and calibrate it cross-fitted; it becomes the model."""
        self.model_type_ = "boosting" if name == "boosting" else "glassbox"
        self.candidate_ = name
        glass = [n for n in self.cv_auc_ if n.startswith("glassbox")]
        best_glass = name if name != "boosting" else self._prefer(glass) if glass else None
        self.validation_auc_ = {"glassbox": self.cv_auc_[best_glass]} if best_glass else {}
        if "boosting" in self.cv_auc_:
            self.validation_auc_["boosting"] = self.cv_auc_["boosting"]
        method = "sigmoid" if len(self.classes_) == 2 else "temperature"
        self.calibrator_ = CalibratedClassifierCV(self._candidates()[name], method=method, cv=self.cv, ensemble=False)
        with single_threaded():
            self.calibrator_.fit(data, y)
        self.pipeline_ = self.calibrator_.calibrated_classifiers_[0].estimator
        self.encoded_names_ = np.asarray(self.pipeline_[:-1].get_feature_names_out(), dtype=object)
        self.encoded_source_ = np.asarray([self._source(n) for n in self.encoded_names_], dtype=object)

    def preference_order(self) -> list[str]:
        """Every candidate, most accurate first (:meth:`_prefer` applied to those left)."""
        check_is_fitted(self)
        left, order = list(self.cv_auc_), []
        while left:
            order.append(self._prefer(left))
            left.remove(order[-1])
        return order

    def settle(self, X: Any, y: Any, judge: Callable[[TriageClassifier], tuple[bool, str]]) -> TriageClassifier:
        """Walk the candidates that passed the constraint, most accurate first, refitting each on
        ``X``, ``y`` as :meth:`fit` does, and keep the first one ``judge`` (given the refitted model)
        passes; when none does, the most accurate of them. The caller judges on cases the model
        never saw (flows.triage_steps.train: the product's gates on the test cases, ADR 0016);
        the verdicts are kept in ``judged_``."""
        check_is_fitted(self)
        data = self._frame(_as_frame(X, list(self.feature_names_in_)))
        y = np.asarray(y)
        order = [n for n in self.preference_order() if self.admissible_.get(n, True)]
        self.judged_ = {}
        for name in order:
            if name != self.candidate_:
                self._use(name, data, y)
            passed, reason = judge(self)
            self.judged_[name] = {"passed": bool(passed), "reason": str(reason)}
            if passed:
                return self
        if order and self.candidate_ != order[0]:
            self._use(order[0], data, y)
        return self

    def _prefer(self, names: list[str]) -> str:
        """The most accurate of ``names``: the glass-box candidate with the lowest time-ordered log
        loss (a proper score: it rewards calibration as well as ranking), replaced by boosting only
        when boosting's time-ordered ROC AUC is higher by more than ``preference_margin``."""
        glass = [n for n in names if n.startswith("glassbox")]
        if not glass:
            return names[0]
        best = min(glass, key=lambda n: self.cv_log_loss_[n])
        if "boosting" in names and self.cv_auc_["boosting"] > self.cv_auc_[best] + self.preference_margin:
            return "boosting"
        return best

    def selection(self) -> dict[str, Any]:
        """Every candidate's out-of-fold scores and constraint verdict, the candidate kept and the
        most accurate one, and what the constraint cost on out-of-fold ROC AUC and log loss."""
        check_is_fitted(self)
        best, kept = self.unconstrained_candidate_, self.candidate_
        return {
            "chosen": kept,
            "most_accurate": best,
            "constrained": bool(self.admissible_),
            "none_admissible": bool(self.admissible_) and not any(self.admissible_.values()),
            "cost_cv_roc_auc": self.cv_auc_[best] - self.cv_auc_[kept],
            "cost_cv_log_loss": self.cv_log_loss_[kept] - self.cv_log_loss_[best],
            "none_passes_held_out": bool(self.judged_) and not any(j["passed"] for j in self.judged_.values()),
            "candidates": [
                {
                    "name": n,
                    "cv_roc_auc": self.cv_auc_[n],
                    "cv_log_loss": self.cv_log_loss_[n],
                    "admissible": self.admissible_.get(n),
                    "reason": self.constraint_reasons_.get(n, "")
                    if self.admissible_.get(n) is False
                    else (self.judged_.get(n) or {}).get("reason", ""),
                    "held_out": (self.judged_.get(n) or {}).get("passed"),
                }
                for n in self.preference_order()
            ],
        }

    def candidate_model(self, name: str, X: Any, y: Any) -> CalibratedClassifierCV:
        """Candidate ``name`` fitted and calibrated on ``X``, ``y`` exactly as :meth:`fit` does with
        the candidate it keeps (to measure what a candidate not taken would have scored).
        Its ``predict_proba`` takes the frame of :meth:`prepared`."""
        check_is_fitted(self)
        pipe = self._candidates()[name]
        method = "sigmoid" if len(self.classes_) == 2 else "temperature"
        frame = _as_frame(X, list(self.feature_names_in_))
        with single_threaded():
            return CalibratedClassifierCV(pipe, method=method, cv=self.cv, ensemble=False).fit(
                self.prepared(frame), np.asarray(y, dtype=object)
            )

    def prepared(self, X: Any) -> pd.DataFrame:
        """``X`` as the candidates see it (:func:`prepare_frame` with the fitted feature kinds)."""
        return self._frame(X)

    def _candidates(self) -> dict[str, Pipeline]:
        out: dict[str, Pipeline] = {}
        if self.model_type in ("auto", "glassbox"):
            grid = [(form, C) for form in NUMERIC_FORMS if form in self.numeric_forms for C in self.Cs]
            if self.include_previous and PREVIOUS_GLASSBOX not in grid:
                grid.append(PREVIOUS_GLASSBOX)
            for form, C in grid:
                out[candidate_name(form, C)] = Pipeline(
                    [
                        ("encode", encoder(self.feature_kinds_, form, self.n_knots)),
                        ("model", LogisticRegression(C=C, max_iter=self.max_iter)),
                    ]
                )
        if self.model_type in ("auto", "boosting"):
            model = HistGradientBoostingClassifier(
                max_iter=self.max_iter,
                learning_rate=0.08,
                max_leaf_nodes=15,
                l2_regularization=1.0,
                early_stopping=True,
                n_iter_no_change=10,
                random_state=self.random_state,
            )
            out["boosting"] = Pipeline([("encode", encoder(self.feature_kinds_, None, self.n_knots)), ("model", model)])
        return out

    def _source(self, encoded: str) -> str:
        """The input feature an encoded column comes from (one-hot and spline columns fold back)."""
        names = sorted(self.feature_names_in_, key=len, reverse=True)
        return next((n for n in names if encoded == n or encoded.startswith(f"{n}_")), encoded)

    # -- prediction ----------------------------------------------------------------------
    def _frame(self, X: Any) -> pd.DataFrame:
        check_is_fitted(self)
        frame = _as_frame(X, list(self.feature_names_in_))
        missing = [c for c in self.feature_names_in_ if c not in frame.columns]
        if missing:
            raise ValueError(f"X lacks the model's input columns: {', '.join(missing)}")
        return prepare_frame(frame[list(self.feature_names_in_)], self.feature_kinds_)

    def predict_proba(self, X: Any) -> np.ndarray:
        frame = self._frame(X)
        return self.calibrator_.predict_proba(frame)

    def predict(self, X: Any) -> np.ndarray:
        proba = self.predict_proba(X)
        return self.classes_[np.argmax(proba, axis=1)]

    def encode(self, X: Any) -> np.ndarray:
        """The model's numeric input matrix (columns ``encoded_names_``), what SHAP explains."""
        return np.asarray(self.pipeline_[:-1].transform(self._frame(X)), dtype=float)

    def raw_output(self, X: Any) -> np.ndarray:
        """Uncalibrated log-odds: shape (n,) for two classes, (n, n_classes) for more."""
        return np.asarray(self.pipeline_[-1].decision_function(self.encode(X)), dtype=float)

    @property
    def final_estimator_(self) -> Any:
        check_is_fitted(self)
        return self.pipeline_[-1]

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        tags.input_tags.allow_nan = True
        tags.input_tags.string = True
        tags.input_tags.categorical = True
        return tags


class RecordScorer:
    """``encode`` and ``predict_proba`` of a fitted :class:`TriageClassifier` for plain records.

    The API scores one case (a dict) at a time, where pandas frames and scikit-learn's input
    checks cost far more than the arithmetic. Every encoded column comes from exactly one input
    feature (``encoded_source_``: numbers pass through or become spline columns, categories
    ordinal codes or one-hot columns), so the encoded block of a feature depends on that
    feature's value alone. The scorer keeps the block of each value it has seen (up to
    ``max_values`` per feature) and encodes a record whose values it has all seen by copying
    blocks; any other record goes through the fitted pipeline, which also fills the cache. The
    raw output and the calibration are computed from the fitted estimator and calibrators on
    the encoded array. Results equal :meth:`TriageClassifier.encode` and
    :meth:`TriageClassifier.predict_proba` (tests/models/test_triage.py). Never saved with the model.
    """

    def __init__(self, model: TriageClassifier, max_values: int = 10_000) -> None:
        check_is_fitted(model)
        self.model = model
        self.features = [str(f) for f in model.feature_names_in_]
        sources = np.asarray(model.encoded_source_, dtype=object)
        self.width = len(sources)
        self.columns = [np.flatnonzero(sources == f) for f in self.features]
        self._order = np.concatenate(self.columns)
        if sorted(self._order.tolist()) != list(range(self.width)):
            raise ValueError("every encoded column must come from exactly one input feature")
        self.max_values = max_values
        self._blocks: list[dict[tuple[type, Any], np.ndarray]] = [{} for _ in self.features]
        estimator = model.final_estimator_
        self._linear = isinstance(estimator, LogisticRegression)
        self._calibrated = list(model.calibrator_.calibrated_classifiers_)
        # Temperature scaling needs no positions (and its estimator may have learned encoded labels).
        self._positions = [
            np.arange(len(c.classes))
            if c.method == "temperature"
            else LabelEncoder().fit(c.classes).transform(c.estimator.classes_)
            for c in self._calibrated
        ]

    @staticmethod
    def _key(value: Any) -> tuple[type, Any]:
        if value is None or (isinstance(value, float) and value != value):
            return (type(None), None)
        return (type(value), value)

    def encode(self, records: list[dict[str, Any]]) -> np.ndarray:
        out = np.empty((len(records), self.width), dtype=float)
        seen: list[int] = []
        unseen: list[int] = []
        parts: list[np.ndarray] = []  # the blocks of the seen records, feature after feature
        for i, record in enumerate(records):
            found = [
                blocks.get(self._key(record.get(name)))
                for blocks, name in zip(self._blocks, self.features, strict=True)
            ]
            if any(block is None for block in found):
                unseen.append(i)
            else:
                seen.append(i)
                parts.extend(found)  # type: ignore[arg-type]
        if seen:  # one copy: the blocks in feature order are the columns in ``_order``
            rows, columns = np.asarray(seen), np.asarray(self._order)
            out[np.ix_(rows, columns)] = np.concatenate(parts).reshape(len(seen), self.width)
        if unseen:
            frame = pd.DataFrame([{f: records[i].get(f) for f in self.features} for i in unseen], columns=self.features)
            encoded = self.model.encode(frame)
            for row, i in zip(encoded, unseen, strict=True):
                out[i] = row
                for columns, blocks, name in zip(self.columns, self._blocks, self.features, strict=True):
                    if len(blocks) < self.max_values:
                        blocks[self._key(records[i].get(name))] = row[columns].copy()
        return out

    def warm(self, template: dict[str, Any], values: dict[str, list[Any]]) -> None:
        """Encode ``values`` of each feature ahead of time (one pipeline call), so a new case whose
        values are all listed is encoded from the cache. ``template`` fills the other features."""
        records = [
            {**template, name: value} for name, options in values.items() if name in self.features for value in options
        ]
        if records:
            self.encode(records)

    def raw_output(self, encoded: np.ndarray) -> np.ndarray:
        """:meth:`TriageClassifier.raw_output` of already encoded rows."""
        estimator = self.model.final_estimator_
        if self._linear:
            raw = encoded @ estimator.coef_.T + estimator.intercept_
            return raw[:, 0] if raw.shape[1] == 1 else raw
        return np.asarray(estimator.decision_function(encoded), dtype=float)

    def predict_proba(self, encoded: np.ndarray) -> np.ndarray:
        """:meth:`TriageClassifier.predict_proba` of already encoded rows (the calibration of sklearn 1.9)."""
        raw = self.raw_output(encoded)
        predictions = raw.reshape(-1, 1) if raw.ndim == 1 else raw
        n_classes = len(self.model.classes_)
        total = np.zeros((len(encoded), n_classes))
        for calibrated, positions in zip(self._calibrated, self._positions, strict=True):
            if calibrated.method == "temperature":
                proba = np.asarray(calibrated.calibrators[0].predict(predictions), dtype=float)
            else:  # sigmoid / isotonic, one calibrator per positive class
                proba = np.zeros((len(encoded), n_classes))
                for index, (position, calibrator) in enumerate(zip(positions, calibrated.calibrators, strict=False)):
                    proba[:, position + 1 if n_classes == 2 else position] = calibrator.predict(predictions[:, index])
                if n_classes == 2:
                    proba[:, 0] = 1.0 - proba[:, 1]
                else:
                    denominator = proba.sum(axis=1)[:, None]
                    proba = np.divide(
                        proba, denominator, out=np.full_like(proba, 1 / n_classes), where=denominator != 0
                    )
            proba[(proba > 1.0) & (proba <= 1.0 + 1e-5)] = 1.0
            total += proba
        return total / len(self._calibrated)

    def predict_proba_records(self, records: list[dict[str, Any]]) -> np.ndarray:
        return self.predict_proba(self.encode(records))


# -- persistence (skops, never pickle) ---------------------------------------------------------
TRUSTED_TYPES = [
    "models.triage.TriageClassifier",
    "sklearn.calibration.CalibratedClassifierCV",
    "sklearn.calibration._CalibratedClassifier",
    "sklearn.calibration._SigmoidCalibration",
    "sklearn.calibration._TemperatureScaling",
    "sklearn.compose._column_transformer.ColumnTransformer",
    "sklearn.ensemble._hist_gradient_boosting.binning._BinMapper",
    "sklearn.ensemble._hist_gradient_boosting.gradient_boosting.HistGradientBoostingClassifier",
    "sklearn.ensemble._hist_gradient_boosting.predictor.TreePredictor",
    "sklearn._loss.loss.HalfBinomialLoss",
    "sklearn._loss.loss.HalfMultinomialLoss",
    "sklearn._loss.link.LogitLink",
    "sklearn._loss.link.MultinomialLogit",
    "sklearn._loss.link.Interval",
    "sklearn._loss._loss.CyHalfBinomialLoss",
    "sklearn._loss._loss.CyHalfMultinomialLoss",
    "sklearn.frozen._frozen.FrozenEstimator",
    "sklearn.impute._base.SimpleImputer",
    "sklearn.linear_model._logistic.LogisticRegression",
    "sklearn.pipeline.Pipeline",
    "sklearn.preprocessing._encoders.OneHotEncoder",
    "sklearn.preprocessing._encoders.OrdinalEncoder",
    "sklearn.preprocessing._data.StandardScaler",
    "sklearn.preprocessing._polynomial.SplineTransformer",
    "sklearn.utils._bunch.Bunch",
    "scipy.interpolate._bsplines.BSpline",
    "numpy.dtype",
    "scipy._lib.array_api_compat.numpy._aliases.asarray",
    "numpy.dtypes.ObjectDType",
    "numpy.dtypes.Float64DType",
    "numpy.dtypes.Int64DType",
    "numpy.dtypes.UInt8DType",
    "numpy.dtypes.UInt32DType",
    "numpy.dtypes.Int32DType",
    "numpy.dtypes.BoolDType",
    "builtins.slice",
    "builtins.type",
    "numpy.float64",
    "numpy.int64",
]


def save_model(model: TriageClassifier, path: str | Path) -> None:
    """Write ``model`` with skops (a safe, inspectable format; never pickle)."""
    import skops.io as sio

    check_is_fitted(model)
    sio.dump(model, Path(path))


def load_model(path: str | Path) -> TriageClassifier:
    """Load a model written by :func:`save_model`, trusting only the types listed above."""
    import skops.io as sio

    untrusted = set(sio.get_untrusted_types(file=Path(path)))
    unexpected = sorted(untrusted - set(TRUSTED_TYPES))
    if unexpected:
        raise ValueError(f"{Path(path).name} holds types that are not trusted: {', '.join(unexpected)}")
    model = sio.load(Path(path), trusted=sorted(untrusted))
    if not isinstance(model, TriageClassifier):
        raise TypeError(f"{Path(path).name} does not hold a TriageClassifier")
    return model
