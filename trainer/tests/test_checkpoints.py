"""Loading .pt files: tensors and plain values only (weights_only). A .pt file is a pickle, and a crafted one runs
code as it loads; before, every load used weights_only=False."""
import os
import random

import pytest
import torch

from rlhf.checkpoint import load_training_state, rng_state, save_training_state, set_rng_state, torch_load
from rlhf.protocol import UserError
from rlhf.model import TinyConfig, TinyTransformer, load_tiny, save_tiny


class _CreatesFile:
    """Unpickling this opens (creates) a file: the smallest proof that loading ran code of the file's choosing."""

    def __init__(self, path):
        self.path = path

    def __reduce__(self):
        return (open, (self.path, "w"))


def test_a_pickle_that_runs_code_is_refused_and_nothing_runs(tmp_path):
    marker = str(tmp_path / "code-ran")
    path = str(tmp_path / "evil.pt")
    torch.save({"weight": torch.zeros(2), "payload": _CreatesFile(marker)}, path)
    with pytest.raises(UserError, match="holds more than tensors and plain values.*could run code"):
        torch_load(path)
    assert not os.path.exists(marker)


def test_a_model_directory_with_a_crafted_model_pt_is_refused(tmp_path):
    directory = str(tmp_path / "model")
    save_tiny(TinyTransformer(TinyConfig(n_layer=1, n_head=2, n_embd=16, head="reward")), directory)
    assert load_tiny(directory) is not None
    marker = str(tmp_path / "code-ran")
    torch.save({"payload": _CreatesFile(marker)}, os.path.join(directory, "model.pt"))
    with pytest.raises(UserError):
        load_tiny(directory)
    assert not os.path.exists(marker)


def test_training_state_round_trips_under_weights_only(tmp_path):
    """What a checkpoint's training state holds — RNG states of python, torch and numpy, optimizer and scheduler
    state with their float hyperparameters and int keys — comes back exactly; the tensors through weights_only."""
    np = pytest.importorskip("numpy")
    model = torch.nn.Linear(3, 1)
    optimizer = torch.optim.AdamW(model.parameters(), lr=1e-3)
    model(torch.ones(1, 3)).sum().backward()
    optimizer.step()
    scheduler = torch.optim.lr_scheduler.LambdaLR(optimizer, lambda step: 1.0)
    random.seed(1)
    torch.manual_seed(1)
    np.random.seed(1)
    saved = {"step": 3, "optimizer": optimizer.state_dict(), "scheduler": scheduler.state_dict(), "rng": rng_state(),
             "log_acc": {"loss": 0.5, "nan": float("nan")}, "cursor": {"epoch": 0, "index": 3}}
    save_training_state(str(tmp_path), saved)
    expected = (random.random(), torch.rand(1).item(), np.random.rand())
    random.seed(2)
    torch.manual_seed(2)
    np.random.seed(2)

    state = load_training_state(str(tmp_path))
    set_rng_state(state["rng"])
    assert (random.random(), torch.rand(1).item(), np.random.rand()) == expected
    assert list(state["optimizer"]["state"]) == [0, 1]
    assert state["optimizer"]["param_groups"][0]["betas"] == (0.9, 0.999)
    assert torch.equal(state["optimizer"]["state"][0]["exp_avg"], saved["optimizer"]["state"][0]["exp_avg"])
    optimizer.load_state_dict(state["optimizer"])
    scheduler.load_state_dict(state["scheduler"])
    assert state["step"] == 3 and state["cursor"] == {"epoch": 0, "index": 3} and state["log_acc"]["loss"] == 0.5
    # state.pt alone is plain tensors: it loads under weights_only, which refuses anything else
    assert all(isinstance(t, torch.Tensor) for t in torch_load(str(tmp_path / "state.pt")).values())
