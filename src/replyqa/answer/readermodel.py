"""The reading model's network, and its assembly from the embedder and the shipped delta.

The network is the embedder's XLM-R encoder with a linear head giving each token a start and an end
logit. Fitting (``readerfit.py``) trains only the top ``trained_layers`` layers and the head, from the
states of the layer below them; the delta holds exactly those weights (float16, safetensors), so the
model is the rebuilt embedder with its top layers replaced. It is built once under ``REPLYQA_HOME``
and exported to ONNX (weights quantised to int8, as the embedder's answer-time copy is).
"""
from __future__ import annotations

import hashlib
import json
import logging
import shutil
import tempfile
import warnings
from pathlib import Path

from ..errors import ModelError

log = logging.getLogger(__name__)

BUILD_VERSION = 1  # bump when the folder written here changes
DELTA_FILE = "delta.safetensors"


def _torch_modules():
    import torch

    class ReadingModel(torch.nn.Module):
        """Encoder and span head; ``top`` runs the trained layers alone, from a lower layer's states."""

        def __init__(self, encoder, trained_layers: int):
            super().__init__()
            self.encoder = encoder
            self.trained_layers = trained_layers
            self.head = torch.nn.Linear(encoder.config.hidden_size, 2)

        @property
        def top_layers(self):
            return self.encoder.encoder.layer[-self.trained_layers:]

        def forward(self, input_ids, attention_mask):
            states = self.encoder(input_ids=input_ids, attention_mask=attention_mask).last_hidden_state
            logits = self.head(states)
            return logits[..., 0], logits[..., 1]

        def top(self, states, attention_mask):
            mask = (1.0 - attention_mask[:, None, None, :].to(states.dtype)) * -1e4  # additive, as the encoder's
            for layer in self.top_layers:
                out = layer(states, attention_mask=mask)
                states = out[0] if isinstance(out, tuple) else out
            logits = self.head(states)
            return logits[..., 0], logits[..., 1]

    return torch, ReadingModel


def base_folder(home: Path) -> Path:
    """The rebuilt embedder's folder (built now if it is not yet)."""
    from ..model import build_model

    return build_model(Path(home) / "models")


def reading_model(home: Path, trained_layers: int):
    """The reading model with the embedder's weights and an untrained head (for fitting)."""
    torch, ReadingModel = _torch_modules()
    from transformers import AutoModel
    from transformers.utils import logging as hf_logging

    hf_logging.disable_progress_bar()
    encoder = AutoModel.from_pretrained(str(base_folder(home)), attn_implementation="eager")
    return ReadingModel(encoder, trained_layers)


def delta_state(model) -> dict:
    """The weights a fit changes: the top layers and the head, as float16 arrays keyed by parameter name."""
    keep = {f"encoder.encoder.layer.{len(model.encoder.encoder.layer) - model.trained_layers + i}."
            for i in range(model.trained_layers)}
    return {name: p.detach().to("cpu").half().numpy() for name, p in model.state_dict().items()
            if name.startswith("head.") or any(name.startswith(k) for k in keep)}


def load_delta(model, delta: Path) -> None:
    """Put the shipped delta's weights into ``model`` (float16 stored, float32 used)."""
    import torch
    from safetensors.numpy import load_file

    weights = load_file(str(Path(delta) / DELTA_FILE))
    missing = [k for k in weights if k not in model.state_dict()]
    if missing:
        raise ModelError(f"the reader's delta names weights the model lacks: {missing[:3]}")
    model.load_state_dict({k: torch.from_numpy(v.astype("float32")) for k, v in weights.items()}, strict=False)


def _fingerprint(delta: Path) -> str:
    digest = hashlib.sha256((Path(delta) / DELTA_FILE).read_bytes())
    digest.update((Path(delta) / "reader.json").read_bytes())
    return digest.hexdigest()[:16]


def build_reader(home: str | Path, delta: str | Path) -> Path:
    """The reader's folder (``reader.onnx`` and the tokenizer), assembled and exported once."""
    home, delta = Path(home), Path(delta)
    if not (delta / DELTA_FILE).is_file():
        raise ModelError(f"the reader's fitted weights are missing ({delta / DELTA_FILE}); run `make fit`")
    target = home / "models" / f"reader-{_fingerprint(delta)}-v{BUILD_VERSION}"
    if (target / "build.json").is_file():
        return target
    meta = json.loads((delta / "reader.json").read_text(encoding="utf-8"))
    log.info("building the reading model into %s", target)
    target.parent.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(dir=target.parent, prefix=".build-") as tmp:
        out = Path(tmp) / "reader"
        out.mkdir()
        model = reading_model(home, meta["trained_layers"]).eval()
        load_delta(model, delta)
        export(model, out, quantise=meta.get("onnx", "int8") == "int8")
        shutil.copy(base_folder(home) / "tokenizer.json", out / "tokenizer.json")
        (out / "build.json").write_text(json.dumps({"delta": str(delta), "builder_version": BUILD_VERSION}))
        if target.exists():
            shutil.rmtree(target)
        out.rename(target)
    return target


def export(model, folder: Path, quantise: bool = True) -> Path:
    """Export ``model`` to ``folder/reader.onnx`` (ids and mask in, start and end logits out)."""
    import torch
    from onnxruntime.quantization import QuantType, quantize_dynamic

    ids = torch.tensor([[0, 6, 5, 2, 2, 7, 8, 2], [0, 7, 2, 2, 9, 2, 1, 1]])
    axes = {0: "batch", 1: "tokens"}
    plain = folder / ("reader-fp32.onnx" if quantise else "reader.onnx")
    with warnings.catch_warnings(), torch.inference_mode():
        warnings.simplefilter("ignore")
        torch.onnx.export(model, (ids, (ids != 1).long()), str(plain), dynamo=False,
                          input_names=["input_ids", "attention_mask"], output_names=["start_logits", "end_logits"],
                          dynamic_axes={"input_ids": axes, "attention_mask": axes, "start_logits": axes,
                                        "end_logits": axes}, opset_version=17)
    if quantise:
        quiet = logging.getLogger().level
        logging.getLogger().setLevel(logging.ERROR)  # the quantiser logs advice on the root logger
        try:
            quantize_dynamic(str(plain), str(folder / "reader.onnx"), weight_type=QuantType.QInt8, per_channel=True,
                             op_types_to_quantize=["MatMul", "Gather"])
        finally:
            logging.getLogger().setLevel(quiet)
        plain.unlink()
    return folder / "reader.onnx"
