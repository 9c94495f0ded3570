"""Train the section classifier: `python scripts/train_section_model.py` (CPU, a few minutes).

Reads the structured abstracts of ../shared/data/pmc-rct/abstracts.jsonl (or --data),
maps their headings with pipeline/data/heading_map.json and splits them by document:
dev = the ids in models/section_model/dev_ids.txt (fixed; first drawn with seed 13), test =
the other abstracts whose id hashes to 0 mod 7 (`is_test_id`), train = the rest. Trains
the textcat defined in models/section_model/config.cfg on the train abstracts and their
cropped copies (fixed seeds: two runs give byte-identical model files) and writes
  models/section_model/model/         the trained spaCy pipeline (load_section_model)
  models/section_model/dev_ids.txt    the dev documents (pmcid), one a line
  models/section_model/test_ids.txt   the test documents
  models/section_model/metrics.json   dev and test scores, speed, size and the training log
"""

from __future__ import annotations

import json
import sys
import time
from pathlib import Path

import click

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from pipeline.components.section_model import load_section_model, model_dir
from pipeline.training.section_model import (
    TrainSettings,
    evaluate,
    evaluate_component,
    prepare_abstracts,
    save_model,
    split_abstracts,
    split_train_dev,
    train,
)

DEFAULT_DATA = ROOT.parent / "shared" / "data" / "pmc-rct" / "abstracts.jsonl"
MODEL_FOLDER = ROOT / "models" / "section_model"


def _summary(result: dict) -> dict:
    return {"weighted_f1": round(result["weighted_f1"], 4), "macro_f1": round(result["macro_f1"], 4),
            "accuracy": round(result["accuracy"], 4),
            "per_label_f1": {k: round(v["f1"], 4) for k, v in result["per_label"].items()},
            "confusions": dict(list(result["confusions"].items())[:8])}


@click.command()
@click.option("--data", type=click.Path(exists=True, dir_okay=False, path_type=Path), default=DEFAULT_DATA, show_default=True)
@click.option("--folder", type=click.Path(file_okay=False, path_type=Path), default=MODEL_FOLDER, show_default=True)
@click.option("--dev-share", type=float, default=0.15, show_default=True, help="only used when dev_ids.txt is absent")
@click.option("--seed", type=int, default=13, show_default=True)
@click.option("--epochs", type=int, default=None, help="default: [training] max_epochs of config.cfg")
@click.option("--labels", type=click.Choice(["relabelled", "heading"]), default=TrainSettings.labels, show_default=True,
              help="train with aim statements closing a Background relabelled OBJECTIVE, or on the headings' labels")
@click.option("--crop-start", type=float, default=TrainSettings.crop_start_share, show_default=True,
              help="share of abstracts also trained without their opening Background/Objective")
@click.option("--crop-end", type=float, default=TrainSettings.crop_end_share, show_default=True,
              help="share of abstracts also trained without their Results/Conclusions")
def main(data: Path, folder: Path, dev_share: float, seed: int, epochs: int | None, labels: str,
         crop_start: float, crop_end: float) -> None:
    from spacy.util import load_config

    config_path = folder / "config.cfg"
    config = load_config(config_path)
    settings = TrainSettings(
        epochs=epochs or int(config["training"]["max_epochs"]),
        dropout=float(config["training"]["dropout"]),
        batch_size=int(config["training"]["batcher"]["size"]),
        seed=seed,
        labels=labels,
        crop_start_share=crop_start,
        crop_end_share=crop_end,
    )
    started = time.perf_counter()
    abstracts = prepare_abstracts(data)
    dev_file = folder / "dev_ids.txt"
    if dev_file.exists():
        dev_ids = set(dev_file.read_text().split())
    else:
        dev_ids = {a.doc_id for a in split_train_dev(abstracts, dev_share, seed)[1]}
    train_set, dev_set, test_set = split_abstracts(abstracts, dev_ids)
    click.echo(f"{len(train_set)} train / {len(dev_set)} dev / {len(test_set)} test abstracts "
               f"({sum(len(a.labels) for a in train_set)} / {sum(len(a.labels) for a in dev_set)} / "
               f"{sum(len(a.labels) for a in test_set)} sentences)")
    model, _ = train(config_path, train_set, dev_set, settings)
    train_seconds = round(time.perf_counter() - started, 1)
    save_model(model, config_path, folder / "model")
    for name, split in (("dev_ids.txt", dev_set), ("test_ids.txt", test_set)):
        (folder / name).write_text("".join(f"{doc_id}\n" for doc_id in sorted(a.doc_id for a in split)))
    # score the model as shipped (reloaded from disk), so the figures are the real ones
    shipped = load_section_model(folder)
    metrics = {
        "data": data.name,
        "train_abstracts": len(train_set),
        "dev_abstracts": len(dev_set),
        "test_abstracts": len(test_set),
        "seed": seed,
        "labels": labels,
        "crop_shares": [settings.crop_start_share, settings.crop_end_share],
        "training_log": settings.log,
        "train_seconds": train_seconds,
        "model_bytes": sum(p.stat().st_size for p in model_dir(folder).rglob("*") if p.is_file()),
    }
    for name, split in (("dev", dev_set), ("test", test_set)):
        result = evaluate(shipped, split)
        component = evaluate_component(shipped, data, {a.doc_id for a in split})
        metrics[name] = {
            "sentences": result["raw"]["sentences"],
            "heading_labels": {"no_paragraphs": _summary(result["heading_labels_no_paragraphs"]),
                               "by_paragraph": _summary(result["heading_labels_by_paragraph"])},
            "relabelled_aims": {"raw_argmax": _summary(result["raw"]),
                                "no_paragraphs": _summary(result["smoothed_no_paragraphs"]),
                                "by_paragraph": _summary(result["smoothed_by_paragraph"])},
            "component_chars_heading_labels": component,
            "sentences_per_second_model_only": round(result["sentences_per_second_model_only"] or 0),
        }
        click.echo(f"{name}: sentence weighted F1 vs headings {result['heading_labels_no_paragraphs']['weighted_f1']:.3f} "
                   f"without paragraph breaks, {result['heading_labels_by_paragraph']['weighted_f1']:.3f} by paragraph "
                   f"(aims relabelled: {result['smoothed_no_paragraphs']['weighted_f1']:.3f} / "
                   f"{result['smoothed_by_paragraph']['weighted_f1']:.3f}); component character accuracy "
                   f"{component['one_block']['char_accuracy']:.3f} / {component['paragraphs']['char_accuracy']:.3f}")
    (folder / "metrics.json").write_text(json.dumps(metrics, indent=2) + "\n")


if __name__ == "__main__":
    main()
