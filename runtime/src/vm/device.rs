//! `std::device`: the sensors and actuators a device host provides. The
//! default host is a simulation, deterministic so that a program's output
//! can be checked: each sensor plays a fixed waveform, one sample per
//! read, counted per task; each actuator keeps the last value written to
//! it, which reading it returns. A host with real hardware registers its
//! own natives named `device::read` and `device::write` (see
//! `embed::Host`), which take the place of these.
//!
//! Reads and writes touch only the task's own fixed table: no lock, no
//! allocation, a bounded number of instructions — fit for real-time code.

use super::{Args, Fault, Vm};
use crate::value::Value;

type R = Result<Value, Fault>;

/// A simulated sensor: name, unit, and the value of sample `k`.
type Sensor = (&'static str, &'static str, fn(u64) -> f64);

/// The simulated sensors.
const SENSORS: [Sensor; 5] = [
    // An infusion line's pressure: 100 to 164 mmHg and back, 64 samples
    // a period.
    ("pressure", "mmHg", |k| 100.0 + 2.0 * triangle(k, 32)),
    // Body temperature: 36.5 to 37.0 °C, ten samples a period.
    ("temperature", "°C", |k| 36.5 + 0.1 * triangle(k, 5)),
    // Heart rate: 60 to 80 beats a minute, 40 samples a period.
    ("heart_rate", "bpm", |k| 60.0 + triangle(k, 20)),
    // Oxygen saturation: 98 down to 95 % and back.
    ("spo2", "%", |k| 98.0 - triangle(k, 3)),
    // A pump's measured flow: 25.0, 25.5, 26.0, 26.5 mL/h, repeating.
    ("flow", "mL/h", |k| 25.0 + 0.5 * (k % 4) as f64),
];

/// The simulated actuators.
const ACTUATORS: [&str; 4] = ["alarm", "valve", "pump_rate", "led"];

/// `0, 1, …, half, …, 1` with period `2 * half`.
fn triangle(k: u64, half: u64) -> f64 {
    let t = k % (2 * half);
    (if t <= half { t } else { 2 * half - t }) as f64
}

/// A task's simulated device: samples read per sensor, values written per
/// actuator.
#[derive(Debug, Default, Clone, Copy)]
pub struct SimDevice {
    samples: [u64; SENSORS.len()],
    actuators: [f64; ACTUATORS.len()],
}

fn unknown(name: &str) -> Fault {
    let sensors: Vec<&str> = SENSORS.iter().map(|s| s.0).collect();
    format!(
        "the simulated device host has no sensor or actuator `{name}` (sensors: {}; actuators: {})",
        sensors.join(", "),
        ACTUATORS.join(", ")
    )
    .into()
}

/// `device::read(sensor)`.
pub(crate) fn device_read(vm: &mut Vm, a: &mut Args) -> R {
    let name = a.text(0)?;
    if let Some(i) = SENSORS.iter().position(|s| s.0 == name) {
        let k = vm.device.samples[i];
        vm.device.samples[i] = k.wrapping_add(1);
        return Ok(Value::Float((SENSORS[i].2)(k)));
    }
    if let Some(i) = ACTUATORS.iter().position(|s| *s == name) {
        return Ok(Value::Float(vm.device.actuators[i]));
    }
    Err(unknown(name))
}

/// `device::write(actuator, value)`.
pub(crate) fn device_write(vm: &mut Vm, a: &mut Args) -> R {
    let name = a.text(0)?;
    let v = a.float(1)?;
    let Some(i) = ACTUATORS.iter().position(|s| *s == name) else {
        if SENSORS.iter().any(|s| s.0 == name) {
            return Err(format!("`{name}` is a sensor: it can be read, not written").into());
        }
        return Err(unknown(name));
    };
    if !v.is_finite() {
        return Err(format!("`{name}` takes a finite value, not {v}").into());
    }
    vm.device.actuators[i] = v;
    Ok(Value::Unit)
}

/// The simulated sensors and actuators, for the reference documentation
/// and tests: `(name, unit or "actuator", first samples)`.
pub fn simulated() -> Vec<(&'static str, &'static str, Vec<f64>)> {
    let mut out: Vec<_> = SENSORS
        .iter()
        .map(|(n, unit, f)| (*n, *unit, (0..6).map(f).collect()))
        .collect();
    out.extend(ACTUATORS.iter().map(|n| (*n, "actuator", Vec::new())));
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn waveforms_are_what_the_reference_says() {
        let p = SENSORS[0].2;
        assert_eq!(
            (p(0), p(1), p(32), p(33), p(64)),
            (100.0, 102.0, 164.0, 162.0, 100.0)
        );
        assert_eq!(triangle(3, 3), 3.0);
        assert_eq!(triangle(4, 3), 2.0);
        let flow = SENSORS[4].2;
        assert_eq!((flow(0), flow(3), flow(4)), (25.0, 26.5, 25.0));
    }
}
