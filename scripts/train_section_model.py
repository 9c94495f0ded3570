"""Train the section classifier: `python scripts/train_section_model.py` (CPU, a few minutes).

Reads the structured abstracts of ../shared/data/pmc-rct/abstracts.jsonl (or --data),
maps their headings with pipeline/data/heading_map.json, splits by document into train/dev
(fixed seed), trains the textcat defined in models/section_model/config.cfg and writes
  models/section_model/model/        the trained spaCy pipeline (load_section_model)
  models/section_model/dev_ids.txt   the dev documents (pmcid), one a line
  models/section_model/metrics.json  dev scores and the training log
"""

from __future__ import annotations

import json
import sys
import time
from pathlib import Path

import click

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from pipeline.components.section_model import (  # noqa: E402
    TrainSettings,
    evaluate,
    load_section_model,
    prepare_abstracts,
    save_model,
    split_train_dev,
    train,
)

DEFAULT_DATA = ROOT.parent / "shared" / "data" / "pmc-rct" / "abstracts.jsonl"
MODEL_FOLDER = ROOT / "models" / "section_model"


@click.command()
@click.option("--data", type=click.Path(exists=True, dir_okay=False, path_type=Path), default=DEFAULT_DATA, show_default=True)
@click.option("--folder", type=click.Path(file_okay=False, path_type=Path), default=MODEL_FOLDER, show_default=True)
@click.option("--dev-share", type=float, default=0.15, show_default=True)
@click.option("--seed", type=int, default=13, show_default=True)
@click.option("--epochs", type=int, default=None, help="default: [training] max_epochs of config.cfg")
def main(data: Path, folder: Path, dev_share: float, seed: int, epochs: int | None) -> None:
    from spacy.util import load_config

    config_path = folder / "config.cfg"
    config = load_config(config_path)
    settings = TrainSettings(
        epochs=epochs or int(config["training"]["max_epochs"]),
        dropout=float(config["training"]["dropout"]),
        batch_size=int(config["training"]["batcher"]["size"]),
        seed=seed,
    )
    started = time.perf_counter()
    abstracts = prepare_abstracts(data)
    train_set, dev_set = split_train_dev(abstracts, dev_share, seed)
    click.echo(f"{len(train_set)} train / {len(dev_set)} dev abstracts "
               f"({sum(len(a.labels) for a in train_set)} / {sum(len(a.labels) for a in dev_set)} sentences)")
    model, _ = train(config_path, train_set, dev_set, settings)
    save_model(model, config_path, folder / "model")
    # score the model as shipped (reloaded from disk), so the figures are the real ones
    result = evaluate(load_section_model(folder), dev_set)
    (folder / "dev_ids.txt").write_text("".join(f"{a.doc_id}\n" for a in sorted(dev_set, key=lambda a: a.doc_id)))
    metrics = {
        "data": data.name,
        "train_abstracts": len(train_set),
        "dev_abstracts": len(dev_set),
        "seed": seed,
        "dev_share": dev_share,
        "training_log": settings.log,
        "train_seconds": round(time.perf_counter() - started, 1),
        "dev": result,
    }
    (folder / "metrics.json").write_text(json.dumps(metrics, indent=2) + "\n")
    for name in ("raw", "smoothed_no_paragraphs", "smoothed_by_paragraph"):
        r = result[name]
        click.echo(f"{name:24s} weighted F1 {r['weighted_f1']:.3f}  macro F1 {r['macro_f1']:.3f}  acc {r['accuracy']:.3f}")


if __name__ == "__main__":
    main()
