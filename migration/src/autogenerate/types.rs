//! PostgreSQL enum types and sequences of their own.

use super::{Phase, Plan};
use crate::ops::Op;
use crate::schema::Schema;

pub(super) fn compare_enums(from: &Schema, to: &Schema, plan: &mut Plan) {
    for (name, labels) in &to.enums {
        match from.enums.get(name) {
            None => plan.push(
                Phase::CreateEnums,
                Op::CreateEnum {
                    name: name.clone(),
                    labels: labels.clone(),
                },
            ),
            Some(old) if old != labels => plan.push(
                Phase::AlterEnums,
                Op::AlterEnum {
                    name: name.clone(),
                    labels: labels.clone(),
                },
            ),
            Some(_) => {}
        }
    }
    for name in from.enums.keys() {
        if !to.enums.contains_key(name) {
            plan.push(Phase::DropEnums, Op::DropEnum { name: name.clone() });
        }
    }
}

pub(super) fn compare_sequences(from: &Schema, to: &Schema, plan: &mut Plan) {
    for (name, sequence) in &to.sequences {
        match from.sequences.get(name) {
            None => plan.push(Phase::CreateSequences, Op::CreateSequence(sequence.clone())),
            Some(old) if old != sequence => {
                plan.push(Phase::AlterSequences, Op::AlterSequence(sequence.clone()))
            }
            Some(_) => {}
        }
    }
    for name in from.sequences.keys() {
        if !to.sequences.contains_key(name) {
            plan.push(
                Phase::DropSequences,
                Op::DropSequence { name: name.clone() },
            );
        }
    }
}
