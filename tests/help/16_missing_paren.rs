fn main() {
    let hr = 72;
    println!("{}", hr; //~ ERROR
    println!("done");
} //~ ERROR mismatched closing delimiter
