//! A small typed table written as CSV and as Parquet, byte for byte the same for the same
//! rows. The sweep table's columns depend on the sweep (its parameters and instruments), so
//! unlike a run's fixed tables its schema is built at run time; the Parquet conventions are a
//! run's (`src/record/parquet.rs`): Snappy pages, `created_by` fixed to the version, unsigned
//! integers annotated, strings as UTF-8.

use std::fs::File;
use std::io::{BufWriter, Write};
use std::path::Path;
use std::sync::Arc;

use parquet::basic::{Compression, LogicalType, Repetition, Type as PhysicalType};
use parquet::column::writer::ColumnWriter;
use parquet::data_type::ByteArray;
use parquet::errors::ParquetError;
use parquet::file::properties::WriterProperties;
use parquet::file::writer::SerializedFileWriter;
use parquet::schema::types::Type;

/// What the files say wrote them. Fixed, so that equal rows give equal bytes.
const CREATED_BY: &str = concat!("flowsim ", env!("CARGO_PKG_VERSION"));

/// Rows per Parquet row group.
const ROW_GROUP_ROWS: usize = 65_536;

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Kind {
    U64,
    I64,
    F64,
    Str,
}

#[derive(Clone, Debug, PartialEq)]
pub enum Cell {
    Null,
    U64(u64),
    I64(i64),
    F64(f64),
    Str(String),
}

impl Cell {
    /// The CSV text: empty for null, Rust's shortest round-trip form for floats.
    fn csv(&self) -> String {
        match self {
            Cell::Null => String::new(),
            Cell::U64(x) => x.to_string(),
            Cell::I64(x) => x.to_string(),
            Cell::F64(x) => x.to_string(),
            Cell::Str(s) => s.clone(),
        }
    }
}

#[derive(Clone, Debug, PartialEq)]
pub struct Column {
    pub name: String,
    pub kind: Kind,
}

/// Columns and rows; every row has one cell per column, of the column's kind or null.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Table {
    pub columns: Vec<Column>,
    pub rows: Vec<Vec<Cell>>,
}

impl Table {
    pub fn column(&self, name: &str) -> Option<usize> {
        self.columns.iter().position(|c| c.name == name)
    }

    pub fn write_csv(&self, path: &Path) -> std::io::Result<()> {
        let f = File::create(path)?;
        let mut w = csv::Writer::from_writer(BufWriter::new(f));
        w.write_record(self.columns.iter().map(|c| c.name.as_str()))
            .map_err(std::io::Error::other)?;
        for row in &self.rows {
            w.write_record(row.iter().map(Cell::csv))
                .map_err(std::io::Error::other)?;
        }
        w.flush()
    }

    pub fn write_parquet(&self, path: &Path) -> std::io::Result<()> {
        self.parquet(path).map_err(std::io::Error::other)
    }

    fn parquet(&self, path: &Path) -> Result<(), ParquetError> {
        let fields = self
            .columns
            .iter()
            .map(|c| {
                let (physical, logical) = match c.kind {
                    Kind::U64 => (PhysicalType::INT64, Some(LogicalType::integer(64, false))),
                    Kind::I64 => (PhysicalType::INT64, None),
                    Kind::F64 => (PhysicalType::DOUBLE, None),
                    Kind::Str => (PhysicalType::BYTE_ARRAY, Some(LogicalType::String)),
                };
                Type::primitive_type_builder(&c.name, physical)
                    .with_repetition(Repetition::OPTIONAL)
                    .with_logical_type(logical)
                    .build()
                    .map(Arc::new)
            })
            .collect::<Result<Vec<_>, _>>()?;
        let schema = Arc::new(
            Type::group_type_builder("sweep")
                .with_fields(fields)
                .build()?,
        );
        let props = WriterProperties::builder()
            .set_created_by(CREATED_BY.to_string())
            .set_compression(Compression::SNAPPY)
            .set_max_row_group_row_count(Some(ROW_GROUP_ROWS))
            .build();
        let file = File::create(path)?;
        let mut writer = SerializedFileWriter::new(BufWriter::new(file), schema, props.into())?;
        for rows in self.rows.chunks(ROW_GROUP_ROWS) {
            let mut rg = writer.next_row_group()?;
            let mut index = 0;
            while let Some(mut cw) = rg.next_column()? {
                let column = self.columns.get(index).ok_or_else(|| {
                    ParquetError::General("more columns in the schema than the table".into())
                })?;
                let cells = rows.iter().map(|r| r.get(index).unwrap_or(&Cell::Null));
                let defs: Vec<i16> = cells.clone().map(|c| i16::from(*c != Cell::Null)).collect();
                let mismatch = || {
                    ParquetError::General(format!(
                        "a cell of column {} has another type",
                        column.name
                    ))
                };
                match cw.untyped() {
                    ColumnWriter::Int64ColumnWriter(w) => {
                        let v = cells
                            .filter(|c| **c != Cell::Null)
                            .map(|c| match c {
                                // Stored as the same 64 bits; the column is annotated unsigned.
                                Cell::U64(x) => Ok(*x as i64),
                                Cell::I64(x) => Ok(*x),
                                _ => Err(mismatch()),
                            })
                            .collect::<Result<Vec<_>, _>>()?;
                        w.write_batch(&v, Some(&defs), None)?;
                    }
                    ColumnWriter::DoubleColumnWriter(w) => {
                        let v = cells
                            .filter(|c| **c != Cell::Null)
                            .map(|c| match c {
                                Cell::F64(x) => Ok(*x),
                                _ => Err(mismatch()),
                            })
                            .collect::<Result<Vec<_>, _>>()?;
                        w.write_batch(&v, Some(&defs), None)?;
                    }
                    ColumnWriter::ByteArrayColumnWriter(w) => {
                        let v = cells
                            .filter(|c| **c != Cell::Null)
                            .map(|c| match c {
                                Cell::Str(s) => Ok(ByteArray::from(s.as_str())),
                                _ => Err(mismatch()),
                            })
                            .collect::<Result<Vec<_>, _>>()?;
                        w.write_batch(&v, Some(&defs), None)?;
                    }
                    _ => return Err(mismatch()),
                }
                cw.close()?;
                index += 1;
            }
            rg.close()?;
        }
        let mut buf = writer.into_inner()?;
        buf.flush()?;
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use parquet::file::reader::{FileReader, SerializedFileReader};
    use parquet::record::Field;

    #[test]
    fn parquet_holds_the_same_cells_as_csv_and_is_deterministic() {
        let dir = std::env::temp_dir().join(format!("flowsim-sweep-table-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let t = Table {
            columns: vec![
                Column {
                    name: "point".into(),
                    kind: Kind::U64,
                },
                Column {
                    name: "x".into(),
                    kind: Kind::F64,
                },
                Column {
                    name: "k".into(),
                    kind: Kind::I64,
                },
                Column {
                    name: "s".into(),
                    kind: Kind::Str,
                },
            ],
            rows: vec![
                vec![
                    Cell::U64(0),
                    Cell::F64(0.25),
                    Cell::I64(-3),
                    Cell::Str("a".into()),
                ],
                vec![
                    Cell::U64(u64::MAX),
                    Cell::Null,
                    Cell::Null,
                    Cell::Str("b,c".into()),
                ],
            ],
        };
        let (a, b) = (dir.join("a.parquet"), dir.join("b.parquet"));
        t.write_parquet(&a).unwrap();
        t.write_parquet(&b).unwrap();
        assert_eq!(std::fs::read(&a).unwrap(), std::fs::read(&b).unwrap());
        let reader = SerializedFileReader::new(File::open(&a).unwrap()).unwrap();
        let rows: Vec<_> = reader
            .get_row_iter(None)
            .unwrap()
            .map(|r| r.unwrap())
            .collect();
        let first: Vec<Field> = rows[0].get_column_iter().map(|(_, f)| f.clone()).collect();
        assert_eq!(
            first,
            [
                Field::ULong(0),
                Field::Double(0.25),
                Field::Long(-3),
                Field::Str("a".into())
            ]
        );
        let second: Vec<Field> = rows[1].get_column_iter().map(|(_, f)| f.clone()).collect();
        assert_eq!(
            second,
            [
                Field::ULong(u64::MAX),
                Field::Null,
                Field::Null,
                Field::Str("b,c".into())
            ]
        );
        t.write_csv(&dir.join("t.csv")).unwrap();
        assert_eq!(
            std::fs::read_to_string(dir.join("t.csv")).unwrap(),
            "point,x,k,s\n0,0.25,-3,a\n18446744073709551615,,,\"b,c\"\n"
        );
        let _ = std::fs::remove_dir_all(&dir);
    }
}
