"""Sweep the chat model's fine-tuning steps on a camp workspace and score each run end to end.

For each number of steps: chapter 05's full fine-tuning of chapter 04's base model (`finetune_chat_model`'s recipe,
`FinetuneConfig.for_chat` with `steps` replaced), then chapter 11's end-to-end evaluation (`served_eval_set`:
chapter 08's held-out and out-of-scope questions through retrieval; `generate_answers` held to the quotes;
`served_scores`), chapter 09's 50 agent tasks through the camp's server (`per_task_success`, live) and chapter 04's
in-context copy test (`copy_gain`: loss on the first copy of random tokens minus loss on the second, in nats).
Nothing is written to the workspace. This is how the `cpu` profile's `chat_steps` was chosen:

    .venv/bin/python tools/sweep_chat_steps.py workspace/cpu cpu 1000 1500 2000
"""

import logging
import sys

import numpy as np
import torch

from llmcamp.agents import OpenAIBackend
from llmcamp.evaluate import generate_answers, per_task_success, served_eval_set, served_scores, summarize_scores
from llmcamp.finetune import ABSTAIN, FinetuneConfig, encode_examples, instruction_data, sft_train, with_context
from llmcamp.serve import GROUNDED_MAX_TOKENS, ServerThread, build_server
from llmcamp.spec import Workspace, get_profile
from llmcamp.train import copy_gain, get_base_model


def main(root: str, profile: str, *steps: str):
    torch.set_num_threads(2)
    for name in ("httpx", "httpx2", "openai"):  # one log line per request of the agent tasks is noise here
        logging.getLogger(name).setLevel(logging.WARNING)
    ws = Workspace(root, profile)
    f = get_profile(profile).finetune
    _, tok = get_base_model(ws)
    pairs, _, _ = encode_examples(tok, instruction_data(ws)[0], f.context)
    items = None
    print(
        "steps  batch  seconds  final_loss  answer_accuracy  95% CI          answerable_em  oos_abstained  "
        "task_success  copy_gain_nats"
    )
    for s in map(int, steps):
        model = with_context(get_base_model(ws)[0], f.context)
        cfg = FinetuneConfig.for_chat(profile)
        cfg = FinetuneConfig(s, cfg.batch_size, cfg.micro_batch, cfg.lr, max(1, s // 10))
        run = sft_train(model, pairs, cfg, tok.pad_token_id, log=None)
        model.eval()
        if items is None:
            items = served_eval_set(ws, tok, model.cfg.context - GROUNDED_MAX_TOKENS)
        asked = [it for it in items if it["messages"] is not None]
        outs = iter(generate_answers(model, tok, asked, max_new_tokens=GROUNDED_MAX_TOKENS))
        answers = [next(outs) if it["messages"] is not None else ABSTAIN for it in items]
        sc = served_scores(items, answers)
        est = summarize_scores(sc, [it["cluster"] for it in items])["answer_accuracy"]
        ans = np.array([it["format"] == "answerable" for it in items])
        first, second = copy_gain(model)
        with ServerThread(build_server(model, tok, name="sweep", max_batch=8)) as srv:
            backend = OpenAIBackend(srv.url + "/v1", "sweep")
            tasks, _ = per_task_success(ws, backend, 50, get_profile(profile).agents.max_steps)
        print(
            f"{s:5d}  {cfg.batch_size:5d}  {run['seconds']:7.0f}  {run['history'][-1]['loss']:10.3f}  "
            f"{est.mean:15.3f}  [{est.lo:.3f}, {est.hi:.3f}]  {np.nanmean(sc['exact_match'][ans]):13.3f}  "
            f"{np.mean(sc['abstained'][~ans]):13.3f}  {tasks.mean():12.2f}  {first - second:+14.2f}",
            flush=True,
        )
        del model


if __name__ == "__main__":
    if len(sys.argv) < 4:
        sys.exit(__doc__)
    main(*sys.argv[1:])
